import Foundation
import Logging
import RavaoCore
import RavaoStore

/// Sign-in by phone and SMS code (P1), shared by the web pages and the API.
///
/// Every number gets the same treatment (a code is sent, a session is made at first sign-in), so
/// neither the answers nor their timing say whether a number already has an account.
public struct SignInService: Sendable {
    let services: AppServices
    private var policy: OTPPolicy { services.configuration.otp }
    private var accounts: AccountStore { services.store.accounts }
    static let purpose = "signin"

    public init(services: AppServices) { self.services = services }

    public enum RequestOutcome: Sendable, Equatable {
        case sent
        /// A code was sent less than the resend wait ago.
        case resendTooSoon(retryAfter: Int64)
        /// The hourly cap for this phone or this address is reached.
        case limited(retryAfter: Int64)
    }

    public func requestCode(phone: PhoneNumber, ip: String, language: Language) async throws -> RequestOutcome {
        let now = services.time.seconds()
        let code = Self.generateCode()
        let limits = AccountStore.ChallengeLimits(resendWaitSeconds: policy.resendWaitSeconds, perPhonePerHour: policy.maxCodesPerPhonePerHour,
                                                  perIPPerHour: policy.maxCodesPerIPPerHour)
        let challenge: String
        switch try await accounts.insertChallenge(phone: phone, purpose: Self.purpose, codeHash: services.keys.otpHash(phone: phone.e164, code: code),
                                                  ip: ip, now: now, expiresAt: now + policy.codeLifetimeSeconds, limits: limits) {
        case .stored(let id): challenge = id
        case .resendTooSoon(let wait): return .resendTooSoon(retryAfter: wait)
        case .capped: return .limited(retryAfter: 3600)
        }
        do {
            try await services.sms.send(to: phone.e164, text: Self.message(code: code, language: language, minutes: policy.codeLifetimeSeconds / 60))
        } catch {
            try? await accounts.deleteChallenge(id: challenge)
            services.logger.error("SMS not sent", metadata: ["error": "\(error)"])
            throw error
        }
        return .sent
    }

    public enum VerifyError: Error, Equatable {
        /// Wrong, expired, used or never sent: deliberately one answer.
        case invalidCode
        case tooManyFailures
    }

    /// Checks a code and opens a session; returns the account and the session token.
    public func verify(phone: PhoneNumber, code: String, ip: String, userAgent: String, kind: AccountStore.SessionKind,
                       language: Language) async throws -> (Account, token: String) {
        let now = services.time.seconds()
        if try await accounts.failureCount(ip: ip, since: now - 3600) >= policy.maxFailuresPerIPPerHour {
            throw VerifyError.tooManyFailures
        }
        let trimmed = code.filter { !$0.isWhitespace }
        let challenge = try await accounts.liveChallenge(phone: phone, purpose: Self.purpose, now: now)
        guard let challenge, trimmed.count == 6, trimmed.allSatisfy(\.isASCII),
              Self.constantTimeEquals(services.keys.otpHash(phone: phone.e164, code: trimmed), challenge.codeHash) else {
            try await accounts.recordFailure(challengeId: challenge?.id, phone: phone, ip: ip, maxAttempts: policy.maxAttemptsPerCode, now: now)
            throw VerifyError.invalidCode
        }
        guard try await accounts.consume(challengeId: challenge.id, now: now) else { throw VerifyError.invalidCode }
        let account = try await accounts.findOrCreate(phone: phone, language: language, now: now)
        // The code proved the phone: guest and typed-phone check-ins recorded under it become this
        // account's, and no record a stranger made with this number keeps catching its scans (trust rule 5).
        let claimed = try await services.store.checkIns.claimPhone(account: account, now: now)
        if claimed > 0 { services.logger.info("phone claimed", metadata: ["account": "\(account.id)", "checkins": "\(claimed)"]) }
        // Shares confirmed for this phone before it had an account take effect now (S1).
        await SharingService(services: services).claim(account: account, ip: ip)
        let token = ServerKeys.randomToken()
        let lifetime = kind == .web ? policy.webSessionSeconds : policy.apiTokenSeconds
        try await accounts.createSession(tokenHash: ServerKeys.tokenHash(token), accountId: account.id, kind: kind, ip: ip,
                                         userAgent: userAgent, now: now, expiresAt: now + lifetime)
        services.logger.info("signed in", metadata: ["account": "\(account.id)", "kind": "\(kind.rawValue)", "ip": "\(ip)"])
        return (account, token)
    }

    public func signOut(tokenHash: String) async throws {
        try await accounts.revokeSession(tokenHash: tokenHash, now: services.time.seconds())
        services.caches.sessionEnded(tokenHash)
    }

    /// Six digits, uniformly from the system CSPRNG.
    static func generateCode() -> String {
        var rng = SystemRandomNumberGenerator()
        return String(format: "%06d", Int(rng.next(upperBound: UInt64(1_000_000))))
    }

    /// The SMS: the code is its only six-digit number. No diacritics, so it fits one GSM-7 message.
    static func message(code: String, language: Language, minutes: Int64) -> String {
        switch language {
        case .vi: return "Ravao: ma xac thuc cua ban la \(code), hieu luc \(minutes) phut. Khong cung cap ma nay cho bat ky ai."
        case .en: return "Ravao: your sign-in code is \(code), valid for \(minutes) minutes. Never share this code."
        }
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
