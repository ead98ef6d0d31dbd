/// A Vietnamese phone number in one stored form, `+84` followed by the national significant number.
///
/// People type `0912345678`, `+84912345678`, `84912345678`, often with spaces, dots or dashes;
/// all of them must land on the same account, so everything is normalised before it is stored or compared.
public struct PhoneNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `+84912345678`
    public let e164: String

    /// Parses with the same rules as a phone typed at a scanning station (`ScannedPhone`), so that
    /// sign-in, sharing and the station can never disagree about what a number is.
    public init?(_ input: String) {
        guard case .success(let phone) = ScannedPhone.parse(input.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        self.e164 = phone.e164
    }

    /// The form people read and type: `0912345678`.
    public var national: String { "0" + e164.dropFirst(3) }

    /// `0916859***`: the first seven digits then stars, as seed 000 §2a shows to non-privileged staff.
    /// Leading digits of the national form a masked phone shows ("0916859***"); searches by masked
    /// viewers may match only these (trust rule 4).
    public static let visibleDigits = 7
    public var masked: String { String(national.prefix(Self.visibleDigits)) + String(repeating: "*", count: max(0, national.count - Self.visibleDigits)) }

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
