/// A health-insurance (BHYT) card QR: `|`-separated fields ending in `$` (FORMATS.md §1).
public struct BHYTCard: Sendable, Equatable, Hashable, Codable {
    /// Card number: 2 letters + 13 digits (old cards) or the 10-digit BHXH number (new cards).
    public var cardNumber: String
    /// 10-digit social-insurance number (the last 10 digits of an old card number).
    public var bhxhNumber: String
    public var fullName: String?
    public var birthDate: ScannedDate?
    public var gender: ScannedGender?
    public var address: String?
    public var details: BHYTDetails

    /// Accepted field counts; cards in the wild carry 10 to 17.
    public static let fieldCounts = 10...17

    /// Parses leniently (missing tails, open dates, undecodable hex kept raw) and validates
    /// strictly (card number, dates, gender).
    public static func parse(_ text: String) -> Result<BHYTCard, UnrecognizedReason> { parse(fields: PayloadText.fields(text)) }

    /// `parse` on fields already split (the recogniser splits a scan once).
    static func parse(fields f: [Substring]) -> Result<BHYTCard, UnrecognizedReason> {
        guard fieldCounts.contains(f.count) else { return .failure(.bhytFieldCount(f.count)) }
        func field(_ i: Int) -> Substring { i < f.count ? f[i] : "" }

        let number = field(0).uppercased()
        guard isValidCardNumber(number) else { return .failure(.bhytBadCardNumber) }

        func date(_ i: Int, _ which: UnrecognizedReason.DateField) -> Result<ScannedDate?, UnrecognizedReason> {
            switch DateFieldParse.slashed(field(i)) {
            case .absent: .success(nil)
            case .date(let d): .success(d)
            case .invalid: .failure(.invalidDate(.bhyt, which, value: PayloadText.excerpt(field(i), maxCharacters: 16)))
            }
        }

        let gender: ScannedGender?
        switch field(3) {
        case "1": gender = .male
        case "2": gender = .female
        case "": gender = nil
        default: return .failure(.invalidGender(.bhyt, value: PayloadText.excerpt(field(3), maxCharacters: 8)))
        }

        let birth: ScannedDate?, from: ScannedDate?, to: ScannedDate?, issued: ScannedDate?
        switch date(2, .birthDate) { case .success(let d): birth = d; case .failure(let e): return .failure(e) }
        switch date(6, .validFrom) { case .success(let d): from = d; case .failure(let e): return .failure(e) }
        switch date(7, .validTo) { case .success(let d): to = d; case .failure(let e): return .failure(e) }
        switch date(8, .issueDate) { case .success(let d): issued = d; case .failure(let e): return .failure(e) }
        if let from, let to, from.isComplete, to.isComplete,
           (to.year, to.month ?? 0, to.day ?? 0) < (from.year, from.month ?? 0, from.day ?? 0) {
            return .failure(.invalidDate(.bhyt, .validTo, value: PayloadText.excerpt(field(7), maxCharacters: 16)))
        }
        // Field 12 sometimes carries a leading space or odd filler; its meaning is secondary, so
        // only a date-shaped impossible value is an error.
        let coverage = DateFieldParse.slashed(field(12)).date

        // 2023 cards put a `4` at 14 and the issuing place at 15; 2017 cards end with `$` at 14.
        let layout: BHYTDetails.Layout = f.count >= 16 && field(14) != "$" ? .v2023 : .v2017
        let management = PayloadText.isAllASCIIDigits(field(9)) ? String(field(9)) : nil
        let check = field(13).isEmpty || field(13) == "-" ? nil : String(field(13))

        let details = BHYTDetails(
            layout: layout, validFrom: from, validTo: to, clinicCode: clinicCode(field(5)),
            issueDate: issued, managementCode: management, parentName: decodedText(field(10)),
            continuousCoverageSince: coverage, issuerCheck: check,
            issuingPlace: layout == .v2023 ? decodedText(field(15)) : nil)
        return .success(BHYTCard(
            cardNumber: number, bhxhNumber: String(number.suffix(10)), fullName: decodedText(field(1)),
            birthDate: birth, gender: gender, address: decodedText(field(4)), details: details))
    }

    /// Old cards: 2 letters + 13 digits; new cards: the 10-digit BHXH number.
    public static func isValidCardNumber(_ s: some StringProtocol) -> Bool {
        let u = Array(s.utf8)
        if u.count == 10 { return PayloadText.isAllASCIIDigits(s) }
        guard u.count == 15 else { return false }
        let lettersOK = u[0...1].allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
        return lettersOK && u[2...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A hex-UTF-8 field decoded; kept verbatim when it is not valid hex UTF-8 (FORMATS.md §1).
    static func decodedText(_ s: Substring) -> String? {
        if let decoded = PayloadText.decodeHexUTF8(s) { return decoded.isEmpty ? nil : decoded }
        return PayloadText.optionalText(s)
    }

    /// `79 - 001` → `79-001`; anything else is kept trimmed, since facility codes vary.
    static func clinicCode(_ s: Substring) -> String? {
        if s.isEmpty || s == "-" { return nil }
        let parts = s.split(separator: "-", maxSplits: 1).map(PayloadText.trimField)
        if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { return "\(parts[0])-\(parts[1])" }
        return String(s)
    }

    /// The common identifiers as a scanned payload.
    public func payload(raw: String) -> ScannedPayload {
        ScannedPayload(kind: .bhyt, raw: raw, bhytCardNumber: cardNumber, bhxhNumber: bhxhNumber,
                       fullName: fullName, birthDate: birthDate, gender: gender, address: address, bhyt: details)
    }
}
