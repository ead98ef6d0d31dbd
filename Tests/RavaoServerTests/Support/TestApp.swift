import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RavaoCore
@testable import RavaoServer
import RavaoStore
import Synchronization
import Testing

/// The engines a test runs on: SQLite always, PostgreSQL when `RAVAO_TEST_POSTGRES` names a database.
enum TestEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static var available: [TestEngine] {
        ProcessInfo.processInfo.environment["RAVAO_TEST_POSTGRES"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [.sqlite]
    }

    var testDescription: String { rawValue }

    /// A fresh, empty database: a temp file, or a new schema on the shared PostgreSQL database.
    func freshLocation() throws -> (DatabaseLocation, cleanup: @Sendable () -> Void) {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ravao-test-\(token).sqlite").path
            return (.sqlite(path: path), {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            })
        case .postgres:
            let url = ProcessInfo.processInfo.environment["RAVAO_TEST_POSTGRES"]!
            let location = try DatabaseLocation(parsing: url + (url.contains("?") ? "&" : "?") + "schema=t_\(token)&pool=4")
            return (location, {})
        }
    }
}

/// Records SMS instead of sending them, so tests read codes the way a phone would.
final class CapturingSMS: SMSSender {
    struct Message: Sendable { let to: String; let text: String }
    private let box = Mutex<[Message]>([])

    func send(to phone: String, text: String) async throws { box.withLock { $0.append(Message(to: phone, text: text)) } }

    var messages: [Message] { box.withLock { $0 } }

    /// The code in the newest message to a phone: the only six-digit number in its text.
    func lastCode(to phone: String) -> String? {
        guard let text = messages.last(where: { $0.to == phone })?.text else { return nil }
        return text.split(whereSeparator: { !$0.isNumber }).map(String.init).first { $0.count == 6 }
    }
}

/// A running app (router-level: no sockets) with its clock, SMS capture and client.
struct TestHarness: Sendable {
    static let metricsToken = "test-scrape-token"
    let client: any TestClientProtocol
    let services: AppServices
    let sms: CapturingSMS
    let time: ManualTimeSource
    var engine: TestEngine

    var store: Store { services.store }
}

/// Builds the real application on a fresh database of the given engine and runs `body` against it.
func withApp(_ engine: TestEngine, configure: (inout AppConfiguration) -> Void = { _ in },
             _ body: @Sendable (TestHarness) async throws -> Void) async throws {
    try await withAppUsingSender(engine, sender: nil, configure: configure, body)
}

/// `withApp` with a chosen SMS sender instead of the capturing one.
func withAppUsingSender(_ engine: TestEngine, sender: (any SMSSender)?, configure: (inout AppConfiguration) -> Void = { _ in },
                        _ body: @Sendable (TestHarness) async throws -> Void) async throws {
    let (location, cleanup) = try engine.freshLocation()
    defer { cleanup() }
    var configuration = AppConfiguration()
    configuration.database = location
    configuration.baseURL = "https://ravao.test"
    configuration.trustedProxies = .forRouterTests()
    configuration.metricsToken = TestHarness.metricsToken
    // Test worlds are dated in the past; the nightly purge has its own tests (Tests/security).
    configuration.retentionDays = nil
    configure(&configuration)
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let sms = CapturingSMS()
    let time = ManualTimeSource(Date())
    let app = try await buildApplication(configuration, logger: logger, time: time, sms: sender ?? sms)
    do {
        try await app.application.test(.router) { client in
            try await body(TestHarness(client: client, services: app.services, sms: sms, time: time, engine: engine))
        }
    } catch {
        await dropAndClose(app.services, location: location)
        throw error
    }
    await dropAndClose(app.services, location: location)
}

func dropAndClose(_ services: AppServices, location: DatabaseLocation) async {
    await services.store.engine.shutdown()
    // The app's own engine is closed by then (its DatabaseCloser runs as the test framework stops the
    // services), so the test's schema is dropped over a connection of its own. Dropping it through the
    // closed engine failed silently, and every PostgreSQL test left its schema behind.
    if case .postgres(var p) = location, let schema = p.schema {
        p.schema = nil
        var logger = Logger(label: "test-cleanup")
        logger.logLevel = .error
        guard let engine = try? await openDatabase(.postgres(p), logger: logger) else { return }
        do {
            try await engine.write { db in try await db.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        } catch {
            FileHandle.standardError.write(Data("could not drop test schema \(schema): \(error)\n".utf8))
        }
        await engine.shutdown()
    }
}

// MARK: Requests

struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
    var jsonArray: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? [] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    func string(_ key: String) -> String? { json[key] as? String }
}

extension TestHarness {
    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil,
                 ip: String = "203.0.113.1", headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        headers[.init("X-Forwarded-For")!] = ip
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// A health officer's grant of full personal data to a place (trust rule 2), from now on.
    func grantPrivilege(_ placeId: String) async throws {
        // A second earlier: the test clock stands still, and a scan in the grant's own second stays masked.
        _ = try await store.places.grantPrivilege(UUID(uuidString: placeId)!, by: UUID(), note: "test", now: services.time.seconds() - 1)
        services.caches.placesChanged()
    }

    /// Signs in through the API and returns a bearer token.
    func signIn(_ phone: String = "0912345678", ip: String = "203.0.113.1") async throws -> String {
        let e164 = PhoneNumber(phone)!.e164
        let sent = try await request(.post, "/api/v1/auth/otp", json: #"{"phone":"\#(phone)"}"#, ip: ip)
        #expect(sent.status == .accepted, "requesting a code: \(sent.body)")
        let code = try #require(sms.lastCode(to: e164))
        let verified = try await request(.post, "/api/v1/auth/verify", json: #"{"phone":"\#(phone)","code":"\#(code)"}"#, ip: ip)
        #expect(verified.status == .ok, "verifying: \(verified.body)")
        return try #require(verified.string("token"))
    }

    /// A ward of Đà Nẵng from the active list.
    func danangWard() async throws -> String {
        let wards = try await request(.get, "/api/v1/units?parent=48").jsonArray
        return try #require(wards.first?["code"] as? String)
    }

    /// Registers a place through the API and returns its JSON.
    func createPlace(token: String, name: String = "Quán Cơm Bà Ba", type: String = "restaurant", extra: String = "") async throws -> [String: Any] {
        let ward = try await danangWard()
        let body = #"{"name":"\#(name)","type":"\#(type)","wardCode":"\#(ward)","address":"12 Lê Duẩn","registrantName":"Trần Thị Ba"\#(extra)}"#
        let reply = try await request(.post, "/api/v1/places", json: body, token: token)
        #expect(reply.status == .created, "creating a place: \(reply.body)")
        return reply.json
    }
}
