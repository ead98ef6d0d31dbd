import Foundation

/// The area an officer answers for (A1): a ward, a district (2021 list), a province, or the country.
public struct Jurisdiction: Sendable, Hashable {
    public enum Scope: String, Sendable, Comparable {
        case country, province, district, ward
        var rank: Int {
            switch self {
            case .country: 0
            case .province: 1
            case .district: 2
            case .ward: 3
            }
        }
        public static func < (a: Scope, b: Scope) -> Bool { a.rank < b.rank }
    }

    public static let countryCode = "VN"
    public let scope: Scope
    public let code: String

    public init(scope: Scope, code: String) { self.scope = scope; self.code = code }
    public static let country = Jurisdiction(scope: .country, code: countryCode)

    /// From a unit and its level; nil level means the country.
    public init(unit: AdminUnit?) {
        guard let unit else { self = .country; return }
        switch unit.level {
        case .province: self.init(scope: .province, code: unit.code)
        case .district: self.init(scope: .district, code: unit.code)
        case .ward: self.init(scope: .ward, code: unit.code)
        }
    }

    /// A place is inside when its ward, district or province is the unit.
    public func contains(wardCode: String, districtCode: String?, provinceCode: String) -> Bool {
        switch scope {
        case .country: true
        case .province: provinceCode == code
        case .district: districtCode == code
        case .ward: wardCode == code
        }
    }

    public func contains(_ place: Place) -> Bool {
        contains(wardCode: place.wardCode, districtCode: place.districtCode, provinceCode: place.provinceCode)
    }

    /// A unit is inside when it is this unit or one of its descendants; `ancestry` lists the unit and
    /// every unit above it (as `UnitStore.path` gives it).
    public func contains(ancestry: [String]) -> Bool {
        scope == .country || ancestry.contains(code)
    }

    /// The places column that holds this unit's code; nil for the country.
    public var placeColumn: String? {
        switch scope {
        case .country: nil
        case .province: "province_code"
        case .district: "district_code"
        case .ward: "ward_code"
        }
    }
}

/// What an officer may do (A1).
public enum OfficerFunction: String, Sendable, CaseIterable, Codable {
    /// Dashboards and counts.
    case statistics
    /// Tracing, risk lists, marks, verified records, place alerts: sees personal data unmasked.
    case health
    /// Declaring and lifting epidemic zones.
    case zones

    /// Parses `statistics,health,zones`; nil when a name is unknown or the list is empty.
    public static func parseList(_ text: String) -> Set<OfficerFunction>? {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        var out: Set<OfficerFunction> = []
        for name in names {
            guard let f = OfficerFunction(rawValue: name) else { return nil }
            out.insert(f)
        }
        return out
    }

    public static func list(_ functions: Set<OfficerFunction>) -> String {
        allCases.filter(functions.contains).map(\.rawValue).joined(separator: ",")
    }
}
