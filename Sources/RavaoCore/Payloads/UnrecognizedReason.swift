/// Why a scan was not accepted, specific enough for the guard to act on it.
public enum UnrecognizedReason: Error, Sendable, Equatable, Hashable, Codable {
    /// Nothing but whitespace or scanner terminators arrived.
    case empty
    /// Far larger than any QR code can hold.
    case tooLong(bytes: Int)
    /// None of the known formats; `excerpt` is short and stripped of control/bidi characters.
    case unknownFormat(excerpt: String)
    /// Vietnamese letters appeared where the format has only ASCII and no undo made sense.
    case inputMethodActive(suspected: PayloadKind?)
    /// A Ravao place poster URL was scanned at a station that scans people.
    case placePoster
    /// A link to this Ravao server that is neither a place poster nor a personal code.
    case ravaoLinkNotPersonal
    /// A link to some other website.
    case foreignURL(host: String)
    /// Looks like a Ravao personal token but is truncated or damaged.
    case tokenMalformed
    /// A Ravao token of a format version this server does not know.
    case tokenUnsupportedVersion
    /// A well-formed Ravao token whose signature does not match (forged, altered, other server).
    case tokenBadSignature
    /// BHYT-shaped text with a field count outside 10–17.
    case bhytFieldCount(Int)
    /// BHYT card whose number is neither 2 letters + 13 digits nor a 10-digit BHXH number.
    case bhytBadCardNumber
    /// CCCD-shaped text with a field count outside 7–11.
    case cccdFieldCount(Int)
    /// CCCD whose ID number holds something other than digits.
    case cccdNotDigits
    /// CCCD whose ID number is not 12 digits long.
    case cccdWrongLength(Int)
    /// CCCD whose first three digits are not a province code (001–096).
    case cccdUnknownProvince(String)
    /// National-QR-shaped text with too few fields.
    case nationalFieldCount(Int)
    /// National QR without the QID that identifies the person.
    case nationalMissingQID
    /// National QR whose QID is masked or has invalid characters.
    case nationalBadQID
    /// A date field that is not a real date (e.g. 31/02), or an impossible validity period.
    case invalidDate(PayloadKind, DateField, value: String)
    /// A gender value outside the format's codes.
    case invalidGender(PayloadKind, value: String)
    /// A phone number whose digit count fits neither a mobile nor a landline number.
    case phoneWrongLength(digits: Int)
    /// A phone number with a prefix no Vietnamese number has.
    case phoneBadPrefix
    /// A phone number of another country.
    case phoneNotVietnamese

    /// Which date field a `.invalidDate` is about.
    public enum DateField: String, Sendable, Hashable, Codable {
        case birthDate, issueDate, validFrom, validTo, coverageSince

        var nameEN: String {
            switch self {
            case .birthDate: "date of birth"
            case .issueDate: "issue date"
            case .validFrom: "valid-from date"
            case .validTo: "valid-to date"
            case .coverageSince: "five-year coverage date"
            }
        }

        var nameVI: String {
            switch self {
            case .birthDate: "ngày sinh"
            case .issueDate: "ngày cấp"
            case .validFrom: "ngày bắt đầu hiệu lực"
            case .validTo: "ngày hết hạn"
            case .coverageSince: "ngày đủ 5 năm liên tục"
            }
        }
    }

    /// Stable machine-readable code for logs, metrics and API clients.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .tooLong: "too_long"
        case .unknownFormat: "unknown_format"
        case .inputMethodActive: "input_method_active"
        case .placePoster: "place_poster"
        case .ravaoLinkNotPersonal: "ravao_link_not_personal"
        case .foreignURL: "foreign_url"
        case .tokenMalformed: "token_malformed"
        case .tokenUnsupportedVersion: "token_unsupported_version"
        case .tokenBadSignature: "token_bad_signature"
        case .bhytFieldCount: "bhyt_field_count"
        case .bhytBadCardNumber: "bhyt_bad_card_number"
        case .cccdFieldCount: "cccd_field_count"
        case .cccdNotDigits: "cccd_not_digits"
        case .cccdWrongLength: "cccd_wrong_length"
        case .cccdUnknownProvince: "cccd_unknown_province"
        case .nationalFieldCount: "national_field_count"
        case .nationalMissingQID: "national_missing_qid"
        case .nationalBadQID: "national_bad_qid"
        case .invalidDate: "invalid_date"
        case .invalidGender: "invalid_gender"
        case .phoneWrongLength: "phone_wrong_length"
        case .phoneBadPrefix: "phone_bad_prefix"
        case .phoneNotVietnamese: "phone_not_vietnamese"
        }
    }

    /// The format the scan most likely was, when that is known.
    public var suspectedKind: PayloadKind? {
        switch self {
        case .empty, .tooLong, .unknownFormat, .placePoster, .ravaoLinkNotPersonal, .foreignURL: nil
        case .inputMethodActive(let k): k
        case .tokenMalformed, .tokenUnsupportedVersion, .tokenBadSignature: .ravao
        case .bhytFieldCount, .bhytBadCardNumber: .bhyt
        case .cccdFieldCount, .cccdNotDigits, .cccdWrongLength, .cccdUnknownProvince: .cccd
        case .nationalFieldCount, .nationalMissingQID, .nationalBadQID: .national
        case .invalidDate(let k, _, _), .invalidGender(let k, _): k
        case .phoneWrongLength, .phoneBadPrefix, .phoneNotVietnamese: .phone
        }
    }

    /// English message for the station screen.
    public var message: String {
        switch self {
        case .empty:
            return "Nothing was received from the scanner. Scan again."
        case .tooLong(let n):
            return "The scanned data is too long (\(n) bytes) to be a QR code this station reads."
        case .unknownFormat(let excerpt):
            return "This QR code is not in a format the station reads (it starts with “\(excerpt)”)."
        case .inputMethodActive:
            return "A Vietnamese input method (Telex/VNI/VIQR) seems to be on and changed the scanned text; "
                + "switch it off (Ctrl+Shift / click the V icon) and scan again."
        case .placePoster:
            return "This is a place's QR code (a venue poster), not a person's. "
                + "Scan the person's own QR code, citizen ID card or health-insurance card."
        case .ravaoLinkNotPersonal:
            return "This is a Ravao link, but not a personal QR code."
        case .foreignURL(let host):
            return "This QR code is a link to another website (\(host)), not a personal code."
        case .tokenMalformed:
            return "This Ravao personal QR code is damaged or incomplete; scan it again."
        case .tokenUnsupportedVersion:
            return "This Ravao QR code is of a newer version that this station does not read yet."
        case .tokenBadSignature:
            return "This Ravao personal QR code failed its signature check: it is forged, altered, "
                + "or was issued by another Ravao server."
        case .bhytFieldCount(let n):
            return "This looks like a health-insurance (BHYT) card but has \(n) fields (10 to 17 expected)."
        case .bhytBadCardNumber:
            return "Health-insurance (BHYT) card with an invalid card number "
                + "(2 letters + 13 digits, or a 10-digit social-insurance number, expected)."
        case .cccdFieldCount(let n):
            return "This looks like a citizen ID card (CCCD) but has \(n) fields (7 to 11 expected)."
        case .cccdNotDigits:
            return "Citizen ID card (CCCD) whose ID number contains characters other than digits."
        case .cccdWrongLength(let n):
            return "Citizen ID card (CCCD) whose ID number has \(n) digits instead of 12."
        case .cccdUnknownProvince(let code):
            return "Citizen ID card (CCCD) number starts with \(code), which is not a province code (001–096)."
        case .nationalFieldCount(let n):
            return "This looks like a national personal QR (PC-Covid) but has \(n) fields (6 expected)."
        case .nationalMissingQID:
            return "National personal QR (PC-Covid) without its person id (QID)."
        case .nationalBadQID:
            return "National personal QR (PC-Covid) whose person id (QID) is masked or invalid."
        case .invalidDate(let kind, let field, let value):
            return "\(kind.displayName.capitalizedFirst): the \(field.nameEN) “\(value)” is not a real date."
        case .invalidGender(let kind, let value):
            return "\(kind.displayName.capitalizedFirst): unknown gender “\(value)”."
        case .phoneWrongLength(let n):
            return "A phone number needs 10 digits (mobile) or 11 (landline); this one has \(n)."
        case .phoneBadPrefix:
            return "This is not a Vietnamese phone number (mobile numbers start with 03, 05, 07, 08 or 09, "
                + "landlines with 02)."
        case .phoneNotVietnamese:
            return "Only Vietnamese phone numbers (+84) can be looked up."
        }
    }

    /// Vietnamese message for the station screen (the default UI language).
    public var messageVI: String {
        switch self {
        case .empty:
            return "Không nhận được dữ liệu từ máy quét. Hãy quét lại."
        case .tooLong(let n):
            return "Dữ liệu quét quá dài (\(n) byte), không phải mã QR mà trạm quét đọc được."
        case .unknownFormat(let excerpt):
            return "Không nhận dạng được mã QR này (bắt đầu bằng “\(excerpt)”)."
        case .inputMethodActive:
            return "Bộ gõ tiếng Việt (Telex/VNI/VIQR) có vẻ đang bật nên nội dung quét bị biến đổi; "
                + "hãy tắt bộ gõ (Ctrl+Shift hoặc bấm vào biểu tượng V) rồi quét lại."
        case .placePoster:
            return "Đây là mã QR của địa điểm, không phải của người. "
                + "Hãy quét mã QR cá nhân, thẻ CCCD hoặc thẻ BHYT của người vào."
        case .ravaoLinkNotPersonal:
            return "Đây là đường liên kết của Ravao nhưng không phải mã QR cá nhân."
        case .foreignURL(let host):
            return "Mã QR này là đường liên kết tới trang web khác (\(host)), không phải mã cá nhân."
        case .tokenMalformed:
            return "Mã QR cá nhân Ravao bị hỏng hoặc không đầy đủ; hãy quét lại."
        case .tokenUnsupportedVersion:
            return "Mã QR Ravao này thuộc phiên bản mới mà trạm quét chưa đọc được."
        case .tokenBadSignature:
            return "Mã QR cá nhân Ravao không hợp lệ (sai chữ ký): mã bị giả mạo, bị sửa "
                + "hoặc do máy chủ Ravao khác cấp."
        case .bhytFieldCount(let n):
            return "Mã có dạng thẻ BHYT nhưng có \(n) trường (cần từ 10 đến 17)."
        case .bhytBadCardNumber:
            return "Thẻ BHYT có mã thẻ không hợp lệ (cần 2 chữ cái và 13 chữ số, hoặc mã số BHXH 10 chữ số)."
        case .cccdFieldCount(let n):
            return "Mã có dạng thẻ CCCD nhưng có \(n) trường (cần từ 7 đến 11)."
        case .cccdNotDigits:
            return "Thẻ CCCD có số định danh chứa ký tự không phải chữ số."
        case .cccdWrongLength(let n):
            return "Thẻ CCCD có số định danh gồm \(n) chữ số thay vì 12."
        case .cccdUnknownProvince(let code):
            return "Số CCCD bắt đầu bằng \(code), không phải mã tỉnh hợp lệ (001–096)."
        case .nationalFieldCount(let n):
            return "Mã có dạng mã QR cá nhân quốc gia (PC-Covid) nhưng có \(n) trường (cần 6)."
        case .nationalMissingQID:
            return "Mã QR cá nhân quốc gia (PC-Covid) thiếu mã định danh (QID)."
        case .nationalBadQID:
            return "Mã QR cá nhân quốc gia (PC-Covid) có mã định danh (QID) bị che hoặc không hợp lệ."
        case .invalidDate(let kind, let field, let value):
            return "\(kind.displayNameVI.capitalizedFirst): \(field.nameVI) “\(value)” không phải ngày hợp lệ."
        case .invalidGender(let kind, let value):
            return "\(kind.displayNameVI.capitalizedFirst): giới tính “\(value)” không hợp lệ."
        case .phoneWrongLength(let n):
            return "Số điện thoại phải có 10 chữ số (di động) hoặc 11 chữ số (cố định); số này có \(n) chữ số."
        case .phoneBadPrefix:
            return "Đây không phải số điện thoại Việt Nam (số di động bắt đầu bằng 03, 05, 07, 08, 09; "
                + "số cố định bằng 02)."
        case .phoneNotVietnamese:
            return "Chỉ tra cứu được số điện thoại Việt Nam (+84)."
        }
    }
}

extension String {
    /// First letter upper-cased, the rest untouched (acronyms like BHYT must survive).
    fileprivate var capitalizedFirst: String {
        guard let f = first else { return self }
        return f.uppercased() + dropFirst()
    }
}
