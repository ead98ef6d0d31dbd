import Foundation
import RavaoStore
import Testing

@Suite("Time-ordered ids") struct TimeOrderedIDTests {
    /// Time first (so ids of later check-ins sort after), UUIDv7 version and variant bits, and every
    /// random byte random: no byte position stuck, no id twice.
    @Test func idsAreTimeFirstVersionSevenAndRandomElsewhere() {
        let base = Date(timeIntervalSince1970: 1_796_600_000)
        var seen = Set<UUID>()
        var values = [Set<UInt8>](repeating: [], count: 16)
        var previous: UUID?
        for i in 0..<10_000 {
            let id = TimeOrderedID.make(now: base.addingTimeInterval(Double(i)))
            #expect(seen.insert(id).inserted)
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7 && bytes[8] >> 6 == 2)
            let ms = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(ms == UInt64(1_796_600_000 + i) * 1000)
            for (j, b) in bytes.enumerated() { values[j].insert(b) }
            if let previous { #expect(previous.uuidString < id.uuidString) }
            previous = id
        }
        // The random bits: bytes 7 and 9–15 whole, and the low nibble of 6 and six bits of 8.
        for j in [7, 9, 10, 11, 12, 13, 14, 15] { #expect(values[j].count > 200, "byte \(j)") }
        #expect(values[6].count == 16 && values[8].count == 64)
    }
}
