import Foundation

/// The members of a JSON object whose values are all plain strings or `null`, read straight from the
/// bytes, for the one body every scan sends: `JSONDecoder` was ~3 % of a scan's CPU, and its `UUID`s
/// go through Foundation's `sscanf` (issue 16).
///
/// It answers only for the simplest bodies and leaves everything else to `JSONDecoder`: `nil` for an
/// escape, a number, a nested value, a key given twice, bytes that are not UTF-8, a control character,
/// or anything after the object. A body it reads is therefore one `JSONDecoder` reads the same way,
/// and a body `JSONDecoder` refuses still gets `JSONDecoder`'s answer.
enum FlatJSON {
    /// Each member's value, `nil` standing for JSON `null`.
    typealias Members = [String: String?]

    static func members(_ bytes: UnsafeRawBufferPointer) -> Members? {
        var i = 0
        let n = bytes.count
        func skipSpace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }
        /// A string without escapes, `i` at its opening quote.
        func string() -> String? {
            guard i < n, bytes[i] == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            var j = start
            while j < n {
                let b = bytes[j]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
                j += 1
            }
            guard j < n else { return nil }
            i = j + 1
            return String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self)
        }
        var members: Members = [:]
        skipSpace()
        guard i < n, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        skipSpace()
        if i < n, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard i < n, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipSpace()
                let value: String?
                if i + 4 <= n, bytes[i] == UInt8(ascii: "n"), bytes[i + 1] == UInt8(ascii: "u"), bytes[i + 2] == UInt8(ascii: "l"), bytes[i + 3] == UInt8(ascii: "l") {
                    value = nil
                    i += 4
                } else {
                    guard let text = string() else { return nil }
                    value = text
                }
                guard members.updateValue(value, forKey: key) == nil else { return nil }
                skipSpace()
                guard i < n else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { return nil }
                i += 1
                break
            }
        }
        skipSpace()
        return i == n ? members : nil
    }
}

/// A request body that `decodeJSON` may read with `FlatJSON` before trying `JSONDecoder`: `init`
/// answers nil for anything `JSONDecoder` might read differently or refuse.
protocol FlatJSONDecodable: Decodable {
    init?(flat members: FlatJSON.Members)
}
