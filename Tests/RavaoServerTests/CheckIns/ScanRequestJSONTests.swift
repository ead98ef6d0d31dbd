import Foundation
@testable import RavaoServer
import RavaoTestSupport
import Testing

/// The scan body is read by `FlatJSON` when it is simple, by `JSONDecoder` otherwise: whatever the
/// first reads, the second reads the same way.
@Suite("Scan request JSON") struct ScanRequestJSONTests {
    static func fields(_ r: ScansAPI.ScanRequest) -> [String?] {
        [r.placeId.uuidString, r.payload, r.direction?.rawValue, r.clientId.uuidString, r.scannedAt]
    }

    static func flat(_ body: String) -> ScansAPI.ScanRequest? {
        Array(body.utf8).withUnsafeBytes { FlatJSON.members($0) }.flatMap { ScansAPI.ScanRequest(flat: $0) }
    }

    /// Bodies built from valid and broken pieces: every member present, absent, null, a number, given
    /// twice; escapes, controls, Vietnamese; UUIDs in either case and malformed; unknown members,
    /// whitespace, trailing bytes. A body the fast path reads must be one `JSONDecoder` reads, to the
    /// same values.
    @Test func fastPathReadsWhatTheDecoderReads() throws {
        var rng = SplitMix(seed: 17)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.below(Int64(xs.count)))] }
        let uuids = [UUID().uuidString, UUID().uuidString.lowercased(), UUID().uuidString, UUID().uuidString.lowercased(), "1234", " 2345678-1234-1234-1234-123456789012",
                     "12345678-1234-1234-1234-12345678901G", "12345678+1234-1234-1234-123456789012"]
        let texts = ["048100000001|200000001|Nguyễn Văn An|01011950|Nam|Số 1 Lê Duẩn, Đà Nẵng|01012016", "", "a\\\"b", "x\\u0041y",
                     "tab\there", "/", "😀", "\\n", "e\u{301}"]
        let spaces = ["", " ", "\n", "\t ", "\r\n"]
        var fast = 0
        for round in 0..<10_000 {
            var members: [String] = []
            func member(_ key: String, _ values: [String]) {
                switch rng.below(24) {
                case 0: break
                case 1: members.append("\"\(key)\":null")
                case 2: members.append("\"\(key)\":\(rng.below(100))")
                case 3: members.append("\"\(key)\":\"\(pick(values))\""); members.append("\"\(key)\":\"\(pick(values))\"")
                default: members.append("\"\(key)\":\"\(pick(values))\"")
                }
            }
            member("placeId", uuids)
            member("payload", texts)
            member("direction", ["in", "out", "IN", "sideways"])
            member("clientId", uuids)
            member("scannedAt", ["2026-12-07T06:01:02+07:00", "soon"])
            if rng.below(8) == 0 { members.append("\"extra\":\"\(pick(texts))\"") }
            for i in members.indices.reversed() { members.swapAt(i, Int(rng.below(Int64(i + 1)))) }
            let s = { pick(spaces) }
            var body = s() + "{" + members.map { s() + $0.replacingOccurrences(of: ":", with: s() + ":" + s()) + s() }.joined(separator: ",") + "}" + s()
            if rng.below(30) == 0 { body += pick(["x", ",", "{}"]) }
            let decoded = try? JSONDecoder().decode(ScansAPI.ScanRequest.self, from: Data(body.utf8))
            guard let read = Self.flat(body) else { continue }
            fast += 1
            guard let decoded, Self.fields(read) == Self.fields(decoded) else {
                Issue.record("round \(round): \(body)\nfast: \(Self.fields(read))\ndecoder: \(decoded.map(Self.fields) ?? [])")
                return
            }
        }
        // The fast path is taken for the well-formed part of the bodies, not only refused.
        #expect(fast > 100)
    }

    /// What a kiosk sends is read by the fast path.
    @Test func aKioskBodyTakesTheFastPath() throws {
        let place = UUID(), client = UUID()
        let body = #"{"placeId":"\#(place.uuidString)","payload":"048100000001|200000001|Nguyễn Văn An|01011950|Nam|Số 1 Lê Duẩn, Đà Nẵng|01012016","direction":"out","clientId":"\#(client.uuidString.lowercased())"}"#
        let read = try #require(Self.flat(body))
        #expect(read.placeId == place && read.clientId == client && read.direction == .out && read.scannedAt == nil)
        #expect(read.payload.hasPrefix("048100000001|") && read.payload.contains("Nguyễn"))
        // A byte that is not UTF-8 is refused here and by the decoder.
        var broken = Array(body.utf8)
        broken[broken.count - 10] = 0xFF
        #expect(broken.withUnsafeBytes { FlatJSON.members($0) } == nil)
        #expect((try? JSONDecoder().decode(ScansAPI.ScanRequest.self, from: Data(broken))) == nil)
    }
}
