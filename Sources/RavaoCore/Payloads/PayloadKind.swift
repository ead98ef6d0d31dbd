/// The family of QR payload a scanning station recognised.
public enum PayloadKind: String, Codable, Sendable, Hashable, CaseIterable {
    case ravao
    case national
    case bhyt
    case cccd
    case phone

    /// English name shown to staff.
    public var displayName: String {
        switch self {
        case .ravao: "Ravao personal QR"
        case .national: "national personal QR (PC-Covid)"
        case .bhyt: "health-insurance card (BHYT)"
        case .cccd: "citizen ID card (CCCD)"
        case .phone: "phone number"
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
        }
    }
}
