import Foundation

/// A signed-in user: everyone starts as a phone number confirmed by an SMS code.
public struct Account: Sendable, Hashable, Codable {
    public let id: UUID
    public let phone: PhoneNumber
    public var displayName: String
    public var language: Language
    public let createdAt: Int64

    public init(id: UUID, phone: PhoneNumber, displayName: String, language: Language, createdAt: Int64) {
        self.id = id
        self.phone = phone
        self.displayName = displayName
        self.language = language
        self.createdAt = createdAt
    }
}
