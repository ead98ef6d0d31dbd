import Foundation
import Hummingbird
import Logging
import NIOCore
import RavaoServer
import Synchronization
import Testing

/// The two SMS senders (P1): the development outbox file and the HTTP gateway sender.
@Suite("SMS senders") struct SMSSenderTests {
    @Test func outboxAppendsOneJSONObjectPerLine() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sender = OutboxSMSSender(path: path, logger: Logger(label: "test"))
        try await sender.send(to: "+84912345678", text: "Ravao: ma xac thuc cua ban la 123456")
        try await sender.send(to: "+84987654321", text: "Mã 654321 — tiếng Việt")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(second?["to"] as? String == "+84987654321")
        #expect(second?["text"] as? String == "Mã 654321 — tiếng Việt")
    }

    final class Received: Sendable {
        private let bodies = Mutex<[String]>([])
        func append(_ body: String) { bodies.withLock { $0.append(body) } }
        var all: [String] { bodies.withLock { $0 } }
    }

    /// A gateway on loopback that records what it is sent and answers with a chosen status.
    func withGateway(status: HTTPResponse.Status, _ body: @Sendable (URL, Received) async throws -> Void) async throws {
        let received = Received()
        let router = Router()
        router.post("send") { request, context -> Response in
            let buffer = try await request.body.collect(upTo: 10_000)
            received.append(String(buffer: buffer))
            return Response(status: status)
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body(URL(string: "http://127.0.0.1:\(port)/send")!, received)
            group.cancelAll()
        }
    }

    @Test func httpSenderPostsJSONToTheGateway() async throws {
        try await withGateway(status: .ok) { url, received in
            try await HTTPSMSSender(url: url, logger: Logger(label: "test")).send(to: "+84912345678", text: "code 123456")
            let bodies = received.all
            #expect(bodies.count == 1)
            let json = try JSONSerialization.jsonObject(with: Data(bodies[0].utf8)) as? [String: String]
            #expect(json == ["to": "+84912345678", "text": "code 123456"])
        }
    }

    @Test func aRefusingGatewayIsAnErrorNotASilentLoss() async throws {
        try await withGateway(status: .serviceUnavailable) { url, _ in
            await #expect(throws: SMSError.self) {
                try await HTTPSMSSender(url: url, logger: Logger(label: "test")).send(to: "+84912345678", text: "x")
            }
        }
    }

    @Test(arguments: TestEngine.available)
    func aFailedSMSTellsTheUserToRetry(engine: TestEngine) async throws {
        // A gateway that is down: the user gets a 502 with a clear message, and may retry at once.
        try await withGateway(status: .badGateway) { url, _ in
            try await withAppUsingSender(engine, sender: HTTPSMSSender(url: url, logger: Logger(label: "test"))) { app in
                let reply = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
                #expect(reply.status == .badGateway)
                #expect(reply.errorCode == "sms_failed")
                // The undelivered code does not count as sent: no resend wait is imposed.
                let retry = try await app.request(.post, "/api/v1/auth/otp", json: #"{"phone":"0912345678"}"#)
                #expect(retry.status == .badGateway)
            }
        }
    }
}
