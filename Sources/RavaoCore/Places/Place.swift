import Foundation

/// A registered place (L1): a venue, a gate, a workshop inside a company, or a shuttle bus.
public struct Place: Sendable, Hashable, Codable {
    public let id: UUID
    /// The unguessable code in the poster URL `BASE/c/CODE`; rotated when a poster is abused.
    public var code: String
    public var name: String
    public var type: String
    public var unitsScheme: UnitScheme
    public var wardCode: String
    public var districtCode: String?
    public var provinceCode: String
    public var address: String
    public var parentId: UUID?
    public var plate: String?
    public var defaultStayMinutes: Int
    public var registrantName: String
    public var registrantPhone: PhoneNumber
    public let createdBy: UUID
    public let createdAt: Int64
    public var updatedAt: Int64
    public var deletedAt: Int64?
    /// Since when a health officer's grant lets this place's staff see full personal data (trust rule 2);
    /// nil without a grant in force. The type never grants it: a hospital is privileged when an
    /// officer says so, and only for scans from that moment on.
    public var privilegedSince: Int64?

    public var placeType: PlaceType { PlaceType.named(type) ?? PlaceType.named("other")! }
    public var isPrivileged: Bool { privilegedSince != nil }

    /// Whether a scan taken at `scannedAt` may be shown in full to this place's staff: a grant never
    /// reaches back to scans taken before it.
    public func isPrivileged(at scannedAt: Int64) -> Bool {
        guard let since = privilegedSince else { return false }
        // Times are whole seconds: a scan in the grant's own second counts as before it (fail closed).
        return scannedAt > since
    }

    public init(id: UUID, code: String, name: String, type: String, unitsScheme: UnitScheme, wardCode: String,
                districtCode: String?, provinceCode: String, address: String, parentId: UUID?, plate: String?,
                defaultStayMinutes: Int, registrantName: String, registrantPhone: PhoneNumber, createdBy: UUID,
                createdAt: Int64, updatedAt: Int64, deletedAt: Int64?, privilegedSince: Int64? = nil) {
        self.id = id; self.code = code; self.name = name; self.type = type; self.unitsScheme = unitsScheme
        self.wardCode = wardCode; self.districtCode = districtCode; self.provinceCode = provinceCode
        self.address = address; self.parentId = parentId; self.plate = plate
        self.defaultStayMinutes = defaultStayMinutes; self.registrantName = registrantName
        self.registrantPhone = registrantPhone; self.createdBy = createdBy; self.createdAt = createdAt
        self.updatedAt = updatedAt; self.deletedAt = deletedAt; self.privilegedSince = privilegedSince
    }
}

/// What a person may do at a place (S1). The foundation grants `owner` to whoever registers a place
/// and the role the owner picks when accepting someone's request.
public enum PlaceRole: String, Sendable, Codable, CaseIterable, Comparable {
    case controller, manager, owner

    private var rank: Int { switch self { case .controller: 0; case .manager: 1; case .owner: 2 } }
    public static func < (a: PlaceRole, b: PlaceRole) -> Bool { a.rank < b.rank }

    public var canEdit: Bool { self >= .manager }
    public var canDelete: Bool { self == .owner }
    public var canManageAccess: Bool { self == .owner }
}

/// Codes for place posters: ≥ 64 random bits, so a code cannot be guessed or enumerated.
public enum PlaceCode {
    private static let alphabet = Array("23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")

    /// 12 characters from a 57-letter alphabet without look-alikes (0/O, 1/l/I): about 70 bits.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// Whether text could be a code at all, checked before any database lookup.
    public static func isWellFormed(_ text: String) -> Bool {
        text.count >= 8 && text.count <= 32 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
