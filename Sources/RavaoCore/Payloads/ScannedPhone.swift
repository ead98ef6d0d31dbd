/// A Vietnamese phone number typed by a guard, normalised to E.164 (`+84…`).
public struct ScannedPhone: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// E.164 form, e.g. `+84912345678`.
    public let e164: String
    /// True for mobile numbers (03x, 05x, 07x, 08x, 09x), false for landlines (02x).
    public let isMobile: Bool

    /// Domestic form with the leading 0, e.g. `0912345678`.
    public var nationalFormat: String { "0" + e164.dropFirst(3) }

    public var description: String { e164 }

    private enum CodingKeys: String, CodingKey { case e164, isMobile }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .e164)
        // Decoding re-validates, so stored data cannot produce a number the parser would refuse.
        guard case .success(let phone) = Self.parse(text), phone.e164 == text else {
            throw DecodingError.dataCorruptedError(forKey: .e164, in: c, debugDescription: "not a Vietnamese E.164 number")
        }
        self = phone
    }

    private init(significant: Substring, isMobile: Bool) {
        self.e164 = "+84" + significant
        self.isMobile = isMobile
    }

    /// Characters a guard may type between digits.
    static func isSeparator(_ ch: Character) -> Bool {
        ch == " " || ch == "." || ch == "-" || ch == "(" || ch == ")" || ch == "\u{00A0}"
    }

    /// True when the text has only digits, an optional leading `+` and separators.
    static func looksLikePhone(_ text: String) -> Bool {
        var sawDigit = false
        var sawPlus = false
        for ch in text {
            if PayloadText.isASCIIDigit(ch) { sawDigit = true; continue }
            // `+` only before the first digit, so "(+84) 912…" passes and "0912+345" does not.
            if ch == "+" && !sawDigit && !sawPlus { sawPlus = true; continue }
            if isSeparator(ch) { continue }
            return false
        }
        return sawDigit
    }

    /// Accepts `0912345678`, `+84912345678`, `84912345678`, `0084…`, with spaces, dots, dashes
    /// or parentheses; mobile numbers have 9 significant digits, landlines (02x) 10.
    public static func parse(_ text: String) -> Result<ScannedPhone, UnrecognizedReason> {
        guard looksLikePhone(text) else { return .failure(.phoneBadPrefix) }
        let hasPlus = text.contains("+")
        var digits = String(text.filter(PayloadText.isASCIIDigit))
        if hasPlus || digits.hasPrefix("00") {
            if digits.hasPrefix("00") && !hasPlus { digits.removeFirst(2) }
            guard digits.hasPrefix("84") else { return .failure(.phoneNotVietnamese) }
            digits.removeFirst(2)
            // "+84 0912…" is a common way of writing it; the trunk 0 is not part of E.164.
            if digits.hasPrefix("0") { digits.removeFirst() }
        } else if digits.hasPrefix("0") {
            digits.removeFirst()
        } else if digits.hasPrefix("84") && (digits.count == 11 || digits.count == 12) {
            digits.removeFirst(2)
        } else {
            // Without a trunk 0 or country code the digit count cannot be trusted (a CMND has 9).
            return .failure(digits.count == 10 || digits.count == 11 ? .phoneBadPrefix : .phoneWrongLength(digits: digits.count))
        }
        let significant = Substring(digits)
        guard let first = significant.first else { return .failure(.phoneWrongLength(digits: 1)) }
        switch first {
        case "3", "5", "7", "8", "9":
            guard significant.count == 9 else { return .failure(.phoneWrongLength(digits: significant.count + 1)) }
            return .success(ScannedPhone(significant: significant, isMobile: true))
        case "2":
            guard significant.count == 10 else { return .failure(.phoneWrongLength(digits: significant.count + 1)) }
            return .success(ScannedPhone(significant: significant, isMobile: false))
        default:
            return .failure(.phoneBadPrefix)
        }
    }
}
