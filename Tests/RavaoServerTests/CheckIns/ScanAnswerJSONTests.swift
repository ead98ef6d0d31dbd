import Foundation
@testable import RavaoServer
import RavaoTestSupport
import Testing

/// The scan answer is written by hand (`JSONWriter`); these are the bytes `JSONResponse` wrote before.
@Suite("Scan answer JSON") struct ScanAnswerJSONTests {
    /// Names, summaries and reasons with what JSON must escape (quotes, backslashes, every control
    /// character), what it must not (slashes, DEL, U+2028), Vietnamese, emoji; every optional member
    /// present and absent; dictionaries of several keys in any order.
    @Test func handWrittenBytesAreTheEncodersOnRandomAnswers() throws {
        var rng = SplitMix(seed: 16)
        let pieces = ["Nguyễn Văn An", "\"", "\\", "/", "\u{7F}", "\u{2028}", "😀", "a", "Đỗ", " ", "e\u{301}", "\u{FEFF}", "{}", "[,]:"]
            + (0..<0x20).map { String(Character(Unicode.Scalar(UInt8($0)))) }
        func text() -> String { (0..<Int(rng.below(6))).map { _ in pieces[Int(rng.below(Int64(pieces.count)))] }.joined() }
        func maybe<T>(_ make: () -> T) -> T? { rng.below(3) == 0 ? nil : make() }
        func number() -> Int { Int(rng.below(2_000_001)) - 1_000_000 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for round in 0..<2_000 {
            let status = maybe {
                StatusPayload(level: text(), reasons: (0..<Int(rng.below(4))).map { _ in text() },
                              vaccination: maybe { .init(doses: number(), lastDate: text(), full: rng.below(2) == 0, verified: rng.below(2) == 0) },
                              test: maybe { .init(kind: text(), result: text(), date: text(), verified: rng.below(2) == 0) },
                              alerts: (0..<Int(rng.below(3))).map { _ in text() },
                              origins: Dictionary((0..<Int(rng.below(5))).map { _ in (text(), text()) }, uniquingKeysWith: { a, _ in a }),
                              summary: text(), summaryVi: text())
            }
            let answer = ScansAPI.ScanAnswer(
                checkInId: UUID().uuidString, duplicate: rng.below(2) == 0, kind: text(), direction: text(), scannedAt: text(),
                person: .init(id: UUID().uuidString, displayName: text(), typed: rng.below(2) == 0), status: status,
                birthYear: maybe(number), today: maybe { .init(entries: number(), exits: number()) })
            let expected = try encoder.encode(answer)
            guard answer.json == Array(expected) else {
                Issue.record("round \(round):\n\(String(decoding: answer.json, as: UTF8.self))\nagainst\n\(String(decoding: expected, as: UTF8.self))")
                return
            }
        }
    }
}
