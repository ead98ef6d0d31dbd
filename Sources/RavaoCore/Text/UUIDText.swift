import Foundation

/// UUIDs as ravao stores them: 36 characters, upper-case hex, hyphenated (what `uuidString` gives).
///
/// On Linux, Foundation writes `uuidString` with `sprintf` and reads `UUID(uuidString:)` with `sscanf`:
/// on the scan path, where every check-in's ids go to the database as text and come back, the two
/// were 3–4 % of the server's CPU (perf, issue 16). These loops give the same strings.
extension UUID {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The same string as `uuidString`.
    public var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = UInt8(ascii: "-"); o += 1 }
                    out[o] = Self.hexDigits[Int(bytes[i] >> 4)]
                    out[o + 1] = Self.hexDigits[Int(bytes[i] & 0x0F)]
                    o += 2
                }
                return 36
            }
        }
    }

    /// The UUID `text` spells: 8-4-4-4-12 hex digits, either case; nil for anything else. For ids
    /// read back from the database. Foundation's `UUID(uuidString:)` (`sscanf`) also takes some
    /// malformed text (a space or a sign before a pair of digits), so input from outside keeps it.
    public init?(text: String) {
        var text = text
        let parsed: uuid_t? = text.withUTF8 { utf8 -> uuid_t? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var i = 0
                for b in 0..<16 {
                    if b == 4 || b == 6 || b == 8 || b == 10 {
                        guard utf8[i] == UInt8(ascii: "-") else { return false }
                        i += 1
                    }
                    guard let high = Self.nibble(utf8[i]), let low = Self.nibble(utf8[i + 1]) else { return false }
                    out[b] = high << 4 | low
                    i += 2
                }
                return true
            }
            return ok ? bytes : nil
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
