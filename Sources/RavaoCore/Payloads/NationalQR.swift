/// The national personal QR of PC-Covid (Decision 1405/QĐ-BTTTT v1.1):
/// `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT` (FORMATS.md §3).
public struct NationalQR: Sendable, Equatable, Hashable, Codable {
    /// ID or passport number as carried (usually masked with `*`).
    public var documentNumber: String?
    /// Upper-case name without diacritics, as carried.
    public var fullName: String?
    public var birthDate: ScannedDate?
    /// `LoaiDinhDanh`: true when declared on the person's behalf; nil for an unknown code.
    public var declaredOnBehalf: Bool?
    /// The platform's stable person id; the key to use, since the ID number is masked.
    public var qid: String
    public var helperQID: String?
    public var gender: ScannedGender?
    public var bhytNumber: String?
    public var phone: ScannedPhone?
    public var signature: String?

    /// Parses leniently: the EXT sub-field order comes from one public sample, so sub-fields are
    /// recognised by shape rather than position.
    public static func parse(_ text: String) -> Result<NationalQR, UnrecognizedReason> { parse(fields: PayloadText.fields(text)) }

    /// `parse` on fields already split (the recogniser splits a scan once).
    static func parse(fields f: [Substring]) -> Result<NationalQR, UnrecognizedReason> {
        guard f.count >= 5 else { return .failure(.nationalFieldCount(f.count)) }
        let qidField = f[4]
        guard !qidField.isEmpty else { return .failure(.nationalMissingQID) }
        guard qidField.utf8.count <= 64,
              qidField.allSatisfy({ PayloadText.isASCIIDigit($0) || PayloadText.isASCIILetter($0) })
        else { return .failure(.nationalBadQID) }

        let birth: ScannedDate?
        switch DateFieldParse.masked(f[2]) {
        case .absent: birth = nil
        case .date(let d): birth = d
        case .invalid:
            return .failure(.invalidDate(.national, .birthDate, value: PayloadText.excerpt(f[2], maxCharacters: 16)))
        }
        let onBehalf: Bool? = switch f[3] {
        case "0": false
        case "1": true
        default: nil
        }
        var qr = NationalQR(
            documentNumber: f[0].isEmpty ? nil : String(f[0]), fullName: PayloadText.optionalText(f[1]),
            birthDate: birth, declaredOnBehalf: onBehalf, qid: String(qidField))
        // Anything after field 5 can only be EXT content that itself contained a `|`.
        let ext = f.count > 5 ? f[5...].joined(separator: "|") : ""
        qr.readExtension(Substring(ext))
        return .success(qr)
    }

    private mutating func readExtension(_ ext: Substring) {
        let subs = ext.split(separator: "<", omittingEmptySubsequences: false).map(PayloadText.trimField)
        for (i, s) in subs.enumerated() where !s.isEmpty {
            if bhytNumber == nil, BHYTCard.isValidCardNumber(s), s.utf8.count == 15 {
                bhytNumber = s.uppercased()
            } else if phone == nil, ScannedPhone.looksLikePhone(String(s)), case .success(let p) = ScannedPhone.parse(String(s)) {
                phone = p
            } else if gender == nil, s.utf8.count == 1, ["0", "1", "2"].contains(s) {
                // Assumed like other Vietnamese registries: 1 male, 2 female, 0 not stated.
                gender = s == "1" ? .male : s == "2" ? .female : nil
            } else if i == 0, helperQID == nil, s.utf8.count <= 64,
                      s.allSatisfy({ PayloadText.isASCIIDigit($0) || PayloadText.isASCIILetter($0) }) {
                helperQID = String(s)
            } else if signature == nil, s.utf8.count >= 16 {
                signature = String(s.prefix(1024))
            }
        }
    }

    /// The common identifiers as a scanned payload.
    public func payload(raw: String) -> ScannedPayload {
        // An unmasked 12-digit document number is the CCCD; a masked one is kept as display only.
        let doc = documentNumber ?? ""
        let cccd = (try? CCCDCard.validateID(doc).get())
        let cmnd = doc.utf8.count == 9 && PayloadText.isAllASCIIDigits(doc) ? doc : nil
        return ScannedPayload(
            kind: .national, raw: raw, nationalQID: qid, cccdNumber: cccd, cmndNumber: cmnd,
            bhytCardNumber: bhytNumber, bhxhNumber: bhytNumber.map { String($0.suffix(10)) }, phone: phone,
            fullName: fullName, birthDate: birthDate, gender: gender,
            national: NationalQRDetails(documentNumber: documentNumber, declaredOnBehalf: declaredOnBehalf,
                                        helperQID: helperQID, signature: signature))
    }
}
