/// Whether a scan records someone entering or leaving (C7).
public enum CheckInDirection: String, Sendable, Codable, CaseIterable {
    case `in`, out
}
