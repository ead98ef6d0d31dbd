import Foundation
import Hummingbird
import RavaoCore
import RavaoStore
import Testing

/// Sign-in by phone and SMS code (P1): the flow and every limit, each tried until it must refuse.
@Suite("Sign-in") struct AuthTests {
    @Test(arguments: TestEngine.available)
    func signInIssuesAWorkingBearerToken(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn("0912345678")
            let places = try await app.request(.get, "/api/v1/places", token: token)
            #expect(places.status == .ok)
            let anonymous = try await app.request(.get, "/api/v1/places")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.errorCode == "not_signed_in")
            let forged = try await app.request(.get, "/api/v1/places", token: "not-a-token")
            #expect(forged.status == .unauthorized)
        }
    }

    @Test(arguments: TestEngine.available)
    func threeWaysOfWritingAPhoneReachOneAccount(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            var ids: Set<String> = []
            for (index, phone) in ["0912345678", "+84912345678", "84 912 345 678"].enumerated() {
                if index > 0 { app.time.advance(by: 61) }
                let token = try await app.signIn(phone)
                let account = try #require(try await app.store.accounts.sessionAccount(tokenHash: ServerKeysProbe.hash(token), now: app.time.seconds()))
                ids.insert(account.0.id.uuidString)
                #expect(account.0.phone.e164 == "+84912345678")
            }
            #expect(ids.count == 1)
            let bad = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"12345"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "invalid_phone")
            #expect(app.sms.messages.count == 3)
        }
    }

    @Test(arguments: TestEngine.available)
    func theCodeIsSixDigitsStoredHashedAndTheOnlySixDigitNumber(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let message = try #require(app.sms.messages.last)
            let numbers = message.text.split(whereSeparator: { !$0.isNumber }).filter { $0.count == 6 }
            #expect(numbers.count == 1)
            let code = String(numbers[0])
            let stored = try await app.store.engine.read { db in
                try await db.raw("SELECT code_hash FROM otp_challenges").all().map { try $0.decode(column: "code_hash", as: String.self) }
            }
            #expect(stored.count == 1)
            #expect(!stored[0].contains(code))
            #expect(stored[0].count == 64)
        }
    }

    @Test(arguments: TestEngine.available)
    func aCodeWorksOnce(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            let body = #"{"phone":"0912345678","code":"\#(code)"}"#
            #expect(try await app.request(.post, "/api/v1/auth/verify", json: body).status == .ok)
            let again = try await app.request(.post, "/api/v1/auth/verify", json: body)
            #expect(again.status == .unauthorized)
            #expect(again.errorCode == "invalid_code")
        }
    }

    @Test(arguments: TestEngine.available)
    func aCodeExpiresAfterFiveMinutes(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            app.time.advance(by: 301)
            let late = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(code)"}"#)
            #expect(late.status == .unauthorized)
            #expect(late.errorCode == "invalid_code")
        }
    }

    @Test(arguments: TestEngine.available)
    func fiveWrongTriesKillTheCode(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            let wrong = code == "000000" ? "111111" : "000000"
            for _ in 0..<5 {
                let reply = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(wrong)"}"#)
                #expect(reply.status == .unauthorized)
            }
            // The right code no longer works: it was killed by the fifth wrong try.
            let right = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(code)"}"#)
            #expect(right.status == .unauthorized)
        }
    }

    @Test(arguments: TestEngine.available)
    func fourWrongTriesStillLeaveTheCodeUsable(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            let wrong = code == "000000" ? "111111" : "000000"
            for _ in 0..<4 {
                try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(wrong)"}"#)
            }
            let right = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(code)"}"#)
            #expect(right.status == .ok)
        }
    }

    @Test(arguments: TestEngine.available)
    func aResendWaitsSixtySeconds(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            #expect(try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#).status == .accepted)
            app.time.advance(by: 30)
            let early = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            #expect(early.status == .tooManyRequests)
            #expect(early.errorCode == "otp_resend_wait")
            #expect(early.headers[.retryAfter] == "30")
            #expect(app.sms.messages.count == 1)
            app.time.advance(by: 31)
            #expect(try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#).status == .accepted)
            #expect(app.sms.messages.count == 2)
        }
    }

    @Test(arguments: TestEngine.available)
    func concurrentRequestsCannotSlipPastTheResendWait(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for n in 0..<10 {
                    group.addTask { try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#, ip: "198.51.100.\(n)").status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .accepted }.count == 1)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 9)
            #expect(app.sms.messages.count == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func aNewCodeRetiresTheOldOne(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let first = try #require(app.sms.lastCode(to: "+84912345678"))
            app.time.advance(by: 61)
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
            let second = try #require(app.sms.lastCode(to: "+84912345678"))
            if first != second {
                let old = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(first)"}"#)
                #expect(old.status == .unauthorized)
            }
            let new = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(second)"}"#)
            #expect(new.status == .ok)
        }
    }

    @Test(arguments: TestEngine.available)
    func aPhoneGetsAtMostFiveCodesAnHour(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            for attempt in 0..<5 {
                let reply = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#, ip: "198.51.100.\(attempt)")
                #expect(reply.status == .accepted)
                app.time.advance(by: 61)
            }
            let sixth = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#, ip: "198.51.100.99")
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.errorCode == "otp_rate_limited")
            #expect(app.sms.messages.count == 5)
            app.time.advance(by: 3600)
            #expect(try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#).status == .accepted)
        }
    }

    @Test(arguments: TestEngine.available)
    func anAddressGetsAtMostThirtyCodesAnHour(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            for n in 0..<30 {
                let phone = String(format: "09120000%02d", n)
                #expect(try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"\#(phone)"}"#, ip: "192.0.2.7").status == .accepted)
            }
            let over = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0987654321"}"#, ip: "192.0.2.7")
            #expect(over.status == .tooManyRequests)
            // Another address is not affected.
            #expect(try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0987654321"}"#, ip: "192.0.2.8").status == .accepted)
        }
    }

    @Test(arguments: TestEngine.available)
    func guessingFromOneAddressIsCappedAcrossPhones(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            // 50 wrong codes spread over many phones from one address, then even a right code is refused.
            for n in 0..<50 {
                try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"\#(String(format: "09130000%02d", n))","code":"123456"}"#, ip: "192.0.2.50")
            }
            try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#, ip: "192.0.2.51")
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            let blocked = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"\#(code)"}"#, ip: "192.0.2.50")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.errorCode == "too_many_failures")
        }
    }

    @Test(arguments: TestEngine.available)
    func knownAndUnknownNumbersGetTheSameAnswers(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            _ = try await app.signIn("0912345678")
            app.time.advance(by: 61)
            let known = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#, ip: "192.0.2.20")
            let unknown = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0987654321"}"#, ip: "192.0.2.21")
            #expect(known.status == unknown.status)
            #expect(known.body == unknown.body)
            let wrongKnown = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0912345678","code":"999999"}"#)
            let wrongUnknown = try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0977777777","code":"999999"}"#)
            #expect(wrongKnown.status == wrongUnknown.status)
            #expect(wrongKnown.body == wrongUnknown.body)
        }
    }

    @Test(arguments: TestEngine.available)
    func expiredSignInRecordsArePurged(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            try await app.request(.post, "/api/v1/auth/verify", json: #"{"phone":"0987654321","code":"000000"}"#)
            #expect(try await app.store.accounts.purgeExpired(now: app.time.seconds()) == 0)
            #expect(try await app.request(.get, "/api/v1/places", token: token).status == .ok)
            // A day later the code and the failure are gone; the live session stays.
            #expect(try await app.store.accounts.purgeExpired(now: app.time.seconds() + 86_401) == 2)
            #expect(try await app.request(.post, "/api/v1/auth/signout", token: token).status == .noContent)
            #expect(try await app.store.accounts.purgeExpired(now: app.time.seconds() + 8 * 86_400) == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func signingOutRevokesTheToken(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            #expect(try await app.request(.post, "/api/v1/auth/signout", token: token).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/places", token: token).status == .unauthorized)
        }
    }

    @Test(arguments: TestEngine.available)
    func malformedBodiesGetClearErrorsNot500(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            for body in ["{", "[]", #"{"phone": 5}"#, ""] {
                let reply = try await app.request(.post, "/api/v1/auth/otp", json: body)
                #expect(reply.status == .badRequest, "body \(body): \(reply.body)")
                #expect(reply.errorCode != nil)
            }
        }
    }
}

import Crypto
/// Mirrors how the server keys sessions, to look one up directly.
enum ServerKeysProbe {
    static func hash(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined() }
}
