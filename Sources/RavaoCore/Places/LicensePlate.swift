/// A Vietnamese vehicle registration plate, the name of a shuttle-bus "place" (seed 004 §3).
///
/// Car plates are a two-digit province code (11–99), a series of one or two letters, optionally a
/// digit, then four or five digits: `98C-123.45`, `51F12345`, `30A-1234`, `51LD-123.45`.
/// The stored form is canonical (`98C-123.45`) so that the same bus typed two ways is one bus.
public struct LicensePlate: Hashable, Sendable, CustomStringConvertible {
    public let canonical: String

    public init?(_ input: String) {
        let compact = input.uppercased().filter { !" -.".contains($0) }
        let chars = Array(compact)
        guard chars.count >= 7, chars.count <= 10 else { return nil }
        guard chars[0].isASCIIDigit, chars[1].isASCIIDigit,
              let province = Int(String(chars[0...1])), province >= 11 else { return nil }
        var index = 2
        var series = ""
        while index < chars.count, chars[index].isASCIILetter, series.count < 2 {
            series.append(chars[index]); index += 1
        }
        guard !series.isEmpty else { return nil }
        // A digit may follow the letters in a series (e.g. "LD1"), but only when what remains is still
        // a four- or five-digit serial.
        var rest = String(chars[index...])
        guard rest.allSatisfy(\.isASCIIDigit) else { return nil }
        if rest.count == 6 { series.append(rest.removeFirst()) }
        guard rest.count == 4 || rest.count == 5 else { return nil }
        let serial = rest.count == 5 ? "\(rest.prefix(3)).\(rest.suffix(2))" : rest
        canonical = String(format: "%02d", province) + series + "-" + serial
    }

    public var description: String { canonical }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
    var isASCIILetter: Bool { asciiValue.map { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) } ?? false }
}

import Foundation
