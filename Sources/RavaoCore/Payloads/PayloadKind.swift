/// How a check-in identified the person: the family of QR payload a station recognised, or, for
/// the last two, the poster flow where people check themselves in (never produced by the recognizer).
public enum PayloadKind: String, Codable, Sendable, Hashable, CaseIterable {
    case ravao
    case national
    case bhyt
    case cccd
    case phone
    /// A signed-in citizen who scanned the place's poster and tapped "check in".
    case poster
    /// Someone who scanned the poster and left a name and phone number without signing in.
    case guest

    /// English name shown to staff.
    public var displayName: String {
        switch self {
        case .ravao: "Ravao personal QR"
        case .national: "national personal QR (PC-Covid)"
        case .bhyt: "health-insurance card (BHYT)"
        case .cccd: "citizen ID card (CCCD)"
        case .phone: "phone number"
        case .poster: "self check-in at the poster"
        case .guest: "guest at the poster (name and phone given)"
        }
    }

    /// Vietnamese name shown to staff.
    public var displayNameVI: String {
        switch self {
        case .ravao: "mã QR cá nhân Ravao"
        case .national: "mã QR cá nhân quốc gia (PC-Covid)"
        case .bhyt: "thẻ BHYT"
        case .cccd: "thẻ CCCD"
        case .phone: "số điện thoại"
        case .poster: "tự quét mã địa điểm"
        case .guest: "khách để lại tên và số điện thoại"
        }
    }
}
