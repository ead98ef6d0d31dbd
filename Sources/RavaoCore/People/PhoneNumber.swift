/// A Vietnamese phone number in one stored form, `+84` followed by the national significant number.
///
/// People type `0912345678`, `+84912345678`, `84912345678`, often with spaces, dots or dashes;
/// all of them must land on the same account, so everything is normalised before it is stored or compared.
public struct PhoneNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `+84912345678`
    public let e164: String

    public init?(_ input: String) {
        var digits = ""
        var sawPlus = false
        for (index, ch) in input.trimmingCharacters(in: .whitespacesAndNewlines).enumerated() {
            if ch == "+" && index == 0 { sawPlus = true; continue }
            if ch == " " || ch == "." || ch == "-" || ch == "(" || ch == ")" { continue }
            guard let ascii = ch.asciiValue, ascii >= 48, ascii <= 57 else { return nil }
            digits.append(ch)
        }
        let national: Substring
        if sawPlus {
            guard digits.hasPrefix("84") else { return nil }
            national = digits.dropFirst(2)
        } else if digits.hasPrefix("84") && (digits.count == 11 || digits.count == 12) {
            national = digits.dropFirst(2)
        } else if digits.hasPrefix("0") {
            national = digits.dropFirst()
        } else {
            return nil
        }
        // Mobile numbers have 9 significant digits (3x, 5x, 7x, 8x, 9x); landlines 10 starting with 2.
        guard let first = national.first else { return nil }
        switch first {
        case "3", "5", "7", "8", "9": guard national.count == 9 else { return nil }
        case "2": guard national.count == 10 else { return nil }
        default: return nil
        }
        self.e164 = "+84" + national
    }

    /// The form people read and type: `0912345678`.
    public var national: String { "0" + e164.dropFirst(3) }

    /// `0916859***`: the first seven digits then stars, as seed 000 §2a shows to non-privileged staff.
    public var masked: String { String(national.prefix(7)) + String(repeating: "*", count: max(0, national.count - 7)) }

    public var description: String { e164 }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = PhoneNumber(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a Vietnamese phone number"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}

import Foundation
