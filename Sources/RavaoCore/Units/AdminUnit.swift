/// One administrative unit from the General Statistics Office lists (P5).
public struct AdminUnit: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Codable { case province, district, ward }

    public let code: String
    public let name: String
    public let divisionType: String
    public let level: Level
    public let parentCode: String?

    public init(code: String, name: String, divisionType: String, level: Level, parentCode: String?) {
        self.code = code
        self.name = name
        self.divisionType = divisionType
        self.level = level
        self.parentCode = parentCode
    }
}

/// Which official list a deployment runs on. Ward codes of the two lists overlap with different
/// meanings, so every stored reference to a unit is read against the deployment's active scheme.
public enum UnitScheme: String, Sendable, Codable, CaseIterable {
    /// Two levels (province → ward), after the 2025 reorganisation; the default.
    case y2025 = "2025"
    /// Three levels (province → district → ward), as in 2021.
    case y2021 = "2021"
}
