/// The interface languages: Vietnamese by default (P3), English available.
public enum Language: String, Sendable, CaseIterable, Codable {
    case vi, en

    /// Picks from a `?lang=` value, a cookie, then `Accept-Language`; Vietnamese when nothing matches.
    public static func negotiate(query: String?, cookie: String?, acceptLanguage: String?) -> Language {
        if let query, let locale = Language(rawValue: query) { return locale }
        if let cookie, let locale = Language(rawValue: cookie) { return locale }
        if let accept = acceptLanguage?.lowercased(), accept.hasPrefix("en") { return .en }
        return .vi
    }
}
