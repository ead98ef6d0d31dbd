/// A chip-based citizen ID card (CCCD / Căn cước) QR: 7 `|` fields, up to 11 with empty tails
/// (FORMATS.md §2). The card QR carries no signature: it identifies, it does not prove.
public struct CCCDCard: Sendable, Equatable, Hashable, Codable {
    /// 12-digit ID number.
    public var idNumber: String
    /// Old 9-digit (or 12-digit) CMND number, when the card carries one.
    public var oldIDNumber: String?
    public var fullName: String?
    public var birthDate: ScannedDate?
    public var gender: ScannedGender?
    public var address: String?
    public var issueDate: ScannedDate?

    /// Accepted field counts.
    public static let fieldCounts = 7...11
    /// First three digits of a CCCD number: the province of birth registration.
    public static let provinceCodes = 1...96

    /// Parses a card QR; names and addresses are kept as they arrive (NFC-normalised) even when
    /// a scanner in a non-Unicode mode mangled them, because the 12-digit number is the key.
    public static func parse(_ text: String) -> Result<CCCDCard, UnrecognizedReason> { parse(fields: PayloadText.fields(text)) }

    /// `parse` on fields already split (the recogniser splits a scan once).
    static func parse(fields f: [Substring]) -> Result<CCCDCard, UnrecognizedReason> {
        guard fieldCounts.contains(f.count) else { return .failure(.cccdFieldCount(f.count)) }
        let id: String
        switch validateID(f[0]) {
        case .success(let v): id = v
        case .failure(let e): return .failure(e)
        }
        let cmnd = f[1].filter { $0 != " " }
        let old = PayloadText.isAllASCIIDigits(cmnd) && (cmnd.count == 9 || cmnd.count == 12) ? String(cmnd) : nil

        let birth: ScannedDate?
        switch DateFieldParse.compact(f[3]) {
        case .absent: birth = nil
        case .date(let d): birth = d
        case .invalid: return .failure(.invalidDate(.cccd, .birthDate, value: PayloadText.excerpt(f[3], maxCharacters: 16)))
        }
        let issued: ScannedDate?
        switch DateFieldParse.compact(f[6]) {
        case .absent: issued = nil
        case .date(let d): issued = d
        case .invalid: return .failure(.invalidDate(.cccd, .issueDate, value: PayloadText.excerpt(f[6], maxCharacters: 16)))
        }
        let gender: ScannedGender?
        switch parseGender(f[4]) {
        case .success(let g): gender = g
        case .failure(let e): return .failure(e)
        }
        return .success(CCCDCard(
            idNumber: id, oldIDNumber: old, fullName: PayloadText.optionalText(f[2]), birthDate: birth,
            gender: gender, address: PayloadText.optionalText(f[5]), issueDate: issued))
    }

    /// Checks a CCCD number: digits only (spaces tolerated), 12 long, a plausible province code.
    public static func validateID(_ raw: some StringProtocol) -> Result<String, UnrecognizedReason> {
        let s = raw.filter { $0 != " " }
        guard !s.isEmpty, s.allSatisfy(PayloadText.isASCIIDigit) else { return .failure(.cccdNotDigits) }
        guard s.count == 12 else { return .failure(.cccdWrongLength(s.count)) }
        let province = String(s.prefix(3))
        guard let code = Int(province), provinceCodes.contains(code) else {
            return .failure(.cccdUnknownProvince(province))
        }
        return .success(String(s))
    }

    /// `Nam` / `Nữ`, case- and diacritic-insensitive. A value mangled by a scanner's code page
    /// (non-ASCII or `?`) yields nil rather than a rejection; a clean unknown word is rejected.
    static func parseGender(_ s: Substring) -> Result<ScannedGender?, UnrecognizedReason> {
        if s.isEmpty { return .success(nil) }
        // What cards print, without Foundation's folding (an NSString round trip, twice per scan).
        switch s {
        case "Nam", "NAM", "nam": return .success(.male)
        case "Nữ", "NỮ", "nữ": return .success(.female)
        default: break
        }
        let folded = s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        switch folded {
        case "nam", "male", "m": return .success(.male)
        case "nu", "female", "f": return .success(.female)
        default:
            if s.contains(where: { !$0.isASCII || $0 == "?" }) { return .success(nil) }
            return .failure(.invalidGender(.cccd, value: PayloadText.excerpt(s, maxCharacters: 8)))
        }
    }

    /// The common identifiers as a scanned payload.
    public func payload(raw: String) -> ScannedPayload {
        ScannedPayload(kind: .cccd, raw: raw, cccdNumber: idNumber, cmndNumber: oldIDNumber, fullName: fullName,
                       birthDate: birthDate, gender: gender, address: address, cccdIssueDate: issueDate)
    }
}
