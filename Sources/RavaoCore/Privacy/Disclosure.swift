/// Whether a viewer sees people's data in full, and why (S4, seed 000 §2a). Every page, API answer
/// and export that shows a scanned person asks `decide` and then renders through `name`/`phone`,
/// so masking is decided in exactly one place.
public enum Disclosure: Sendable, Equatable {
    case masked
    /// Full data; the reason is written to the unmasked-view log the person can read.
    case full(reason: String)

    public static let privilegedPlaceReason = "privileged_place_staff"

    /// Staff of a privileged place (hospital, checkpoint) see full data at that place; so do officers
    /// with a grant, whose reason the officers' feature passes as `officerReason`. Everyone else —
    /// owners, managers and controllers of ordinary places, anonymous visitors — sees masked data.
    public static func decide(placePrivileged: Bool, viewerRole: PlaceRole?, officerReason: String? = nil) -> Disclosure {
        if let officerReason, !officerReason.isEmpty { return .full(reason: officerReason) }
        if placePrivileged, viewerRole != nil { return .full(reason: privilegedPlaceReason) }
        return .masked
    }

    public var isFull: Bool { if case .full = self { true } else { false } }

    public func name(_ fullName: String) -> String {
        isFull ? fullName : Masking.name(fullName)
    }

    /// National format, last three digits hidden unless entitled; "" without a phone.
    public func phone(_ phone: PhoneNumber?) -> String {
        guard let phone else { return "" }
        return isFull ? phone.national : phone.masked
    }
}
