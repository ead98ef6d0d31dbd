import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Synchronization

// `floor PORT DATABASE_URL DOORS_FILE`: the least a durable scan can cost on this stack (issue 16).
//
// It answers ravao's own scan request (POST /api/v1/scans, a door's bearer key, the JSON body scans.lua
// sends) with 201 only after the check-in is committed in ravao's own schema (`ravao migrate` first):
// the `checkins` row with every index the features read, and its `checkin_keys` row, which is what
// makes a retried scan a duplicate. Requests that arrive while a batch commits go together in the next
// one (group commit), written with one statement. Everything else ravao does per scan is left out:
// no session or device tables (keys are a dictionary), no card recognition beyond the CCCD number,
// no new people (the pool's people are seeded), no health status, no dashboards or stays, no logging
// or metrics. Whatever this reaches on a machine, ravao's scan path cannot pass there.
//
// Settings: RAVAO_POOL (people seeded, default 50000, as scans.lua), FLOOR_DOORS (16), FLOOR_LANES
// (batches in flight at once, default 1 as ravao's PostgreSQL writer), FLOOR_CONNECTIONS (pool size, 4).
let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[1]), let url = URLComponents(string: arguments[2]) else {
    FileHandle.standardError.write(Data("usage: floor PORT postgres://user:password@host:port/database DOORS_FILE\n".utf8))
    exit(2)
}
let environment = ProcessInfo.processInfo.environment
let pool = Int(environment["RAVAO_POOL"] ?? "") ?? 50_000
let doorCount = Int(environment["FLOOR_DOORS"] ?? "") ?? 16
let lanes = Int(environment["FLOOR_LANES"] ?? "") ?? 1
let connections = Int(environment["FLOOR_CONNECTIONS"] ?? "") ?? 4

var logger = Logger(label: "floor")
logger.logLevel = .warning
let client = PostgresClient(
    configuration: {
        var c = PostgresClient.Configuration(host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres",
                                             password: url.password, database: String(url.path.dropFirst()), tls: .disable)
        c.options.maximumConnections = connections
        c.options.minimumConnections = min(2, connections)
        return c
    }(),
    backgroundLogger: logger)

enum IDs {
    /// The pool's person `i`: the id the seed gives them, found from their card number without a query
    /// (ravao looks the card up; the floor leaves that out).
    static func person(_ i: Int) -> String {
        let digits = String(i)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    static func place(_ i: Int) -> String { person(900_000_000 + i) }

    /// Time first, then randomness, as ravao's TimeOrderedID: the primary key grows at its end.
    static func timeOrdered() -> String {
        let micros = String(UInt64(Date().timeIntervalSince1970 * 1_000_000), radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 12 - micros.count)) + micros + "-" + UUID().uuidString.dropFirst(13)
    }
}

struct Row: Sendable {
    let id, clientId, placeId, personId, direction, payload: String
    let scannedAt: Int64
}

/// Group commit: a batch's requests all wait for the one statement that records them.
final class Writer: Sendable {
    private struct Waiter: Sendable {
        let row: Row
        let done: CheckedContinuation<Bool, any Error>
    }
    private let state = Mutex<(queue: [Waiter], running: Int)>(([], 0))
    private let client: PostgresClient
    private let lanes: Int
    private let logger: Logger

    init(client: PostgresClient, lanes: Int, logger: Logger) {
        self.client = client
        self.lanes = lanes
        self.logger = logger
    }

    /// True when this scan's row went in, false when its client id was already recorded.
    func submit(_ row: Row) async throws -> Bool {
        try await withCheckedThrowingContinuation { done in
            let start = state.withLock { s in
                s.queue.append(Waiter(row: row, done: done))
                guard s.running < lanes else { return false }
                s.running += 1
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch: [Waiter] = state.withLock { s in
                guard !s.queue.isEmpty else {
                    s.running -= 1
                    return []
                }
                let n = min(s.queue.count, 256)
                defer { s.queue.removeFirst(n) }
                return Array(s.queue.prefix(n))
            }
            if batch.isEmpty { return }
            do {
                let recorded = try await write(batch.map(\.row))
                for waiter in batch { waiter.done.resume(returning: recorded.contains(waiter.row.clientId)) }
            } catch {
                for waiter in batch { waiter.done.resume(throwing: error) }
            }
        }
    }

    /// One statement, so one round trip and one commit (`synchronous_commit` on: the WAL is flushed
    /// before PostgreSQL answers). A client id already in `checkin_keys`, or twice in the batch, gets
    /// no second row.
    private func write(_ batch: [Row]) async throws -> Set<String> {
        var seen = Set<String>()
        let rows = batch.filter { seen.insert($0.clientId).inserted }
        let query: PostgresQuery = """
            WITH input AS (
                SELECT * FROM unnest(\(rows.map(\.id))::text[], \(rows.map(\.clientId))::text[], \(rows.map(\.placeId))::text[],
                                     \(rows.map(\.personId))::text[], \(rows.map(\.direction))::text[], \(rows.map(\.scannedAt))::int8[],
                                     \(rows.map(\.payload))::text[])
                    AS t(id, client_id, place_id, person_id, direction, scanned_at, payload)),
            keys AS (
                INSERT INTO checkin_keys (client_id, checkin_id, scanned_at) SELECT client_id, id, scanned_at FROM input
                ON CONFLICT (client_id) DO NOTHING RETURNING client_id)
            INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, payload)
            SELECT i.id, i.client_id, i.place_id, i.person_id, i.direction, 'cccd', i.scanned_at, i.scanned_at, i.payload
            FROM input i JOIN keys k ON k.client_id = i.client_id
            RETURNING client_id
            """
        var recorded = Set<String>()
        for try await clientId in try await client.query(query, logger: logger).decode(String.self) { recorded.insert(clientId) }
        return recorded
    }
}

struct Scan: Decodable {
    let placeId: String
    let payload: String
    let direction: String
    let clientId: UUID
}

struct Answer: ResponseEncodable {
    let checkInId: String
    let duplicate: Bool
}

/// An account, the doors (a place and a key each) and the pool's people, written once before the load.
func seed(doorsFile: String) async throws -> [String: String] {
    let now = Int64(Date().timeIntervalSince1970)
    let account = "00000000-0000-4000-8000-999999999999"
    try await client.query("INSERT INTO accounts (id, phone, created_at) VALUES (\(account), '+84900000009', \(now))", logger: logger)
    var doors: [String: String] = [:]
    var lines = ""
    for i in 0..<doorCount {
        let place = IDs.place(i), code = "FL\(i)", name = "Floor \(i)", key = "floor-door-\(i)-" + UUID().uuidString
        try await client.query("""
            INSERT INTO places (id, code, name, type, units_scheme, ward_code, province_code, address, default_stay_minutes,
                registrant_name, registrant_phone, created_by, created_at, updated_at, search_text)
            VALUES (\(place), \(code), \(name), 'restaurant', '2025', '20194', '48', '', 60, 'X', '+84900000009', \(account), \(now), \(now), '')
            """, logger: logger)
        doors[key] = place
        lines += "\(place) \(key)\n"
    }
    let last = pool - 1
    try await client.query("""
        INSERT INTO people (id, full_name, verified, created_at)
        SELECT '00000000-0000-4000-8000-' || lpad(i::text, 12, '0'), 'X', 0, \(now) FROM generate_series(0, \(last)) AS i
        """, logger: logger)
    try lines.write(toFile: doorsFile, atomically: true, encoding: .utf8)
    return doors
}

let writer = Writer(client: client, lanes: lanes, logger: logger)
let clientTask = Task { await client.run() }
let doors = try await seed(doorsFile: arguments[3])

let router = Router()
router.post("/api/v1/scans") { request, context -> EditedResponse<Answer> in
    guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
          let place = doors[String(authorization.dropFirst(7))] else { throw HTTPError(.unauthorized) }
    let scan = try await request.decode(as: Scan.self, context: context)
    guard scan.placeId == place else { throw HTTPError(.forbidden) }
    guard scan.direction == "in" || scan.direction == "out" else { throw HTTPError(.badRequest) }
    // The card's 12-digit number, first field of a CCCD QR; scans.lua's person i has 100000000 + i last.
    let number = scan.payload.utf8.prefix { $0 != UInt8(ascii: "|") }
    guard number.count == 12, number.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
          let n = Int(String(decoding: number.suffix(9), as: UTF8.self)), n >= 100_000_000, n - 100_000_000 < pool else {
        throw HTTPError(.unprocessableContent)
    }
    let row = Row(id: IDs.timeOrdered(), clientId: scan.clientId.uuidString, placeId: place, personId: IDs.person(n - 100_000_000),
                  direction: scan.direction, payload: scan.payload, scannedAt: Int64(Date().timeIntervalSince1970))
    let recorded = try await writer.submit(row)
    return EditedResponse(status: recorded ? .created : .ok, response: Answer(checkInId: row.id, duplicate: !recorded))
}
router.get("/healthz") { _, _ in "ok" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "floor"))
try await app.runService()
clientTask.cancel()
