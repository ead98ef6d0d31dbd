import Foundation
import Hummingbird

/// A submitted `application/x-www-form-urlencoded` form whose CSRF token has been checked.
struct WebForm {
    private(set) var values: [String: [String]] = [:]

    /// Reads the body and refuses it unless `_csrf` matches this browser's binding.
    static func parse(_ request: Request, context: AppRequestContext, keys: ServerKeys) async throws -> WebForm {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let form = WebForm(encoded: String(buffer: buffer))
        if form.values.values.contains(where: { $0.contains { $0.contains("\u{0}") } }) || form.values.keys.contains(where: { $0.contains("\u{0}") }) {
            throw AppError.nulCharacter
        }
        guard keys.isValidCSRF(form["_csrf"] ?? "", for: context.csrfBinding) else { throw AppError.badCSRF }
        return form
    }

    init(encoded: String) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[key, default: []].append(value)
        }
    }

    private static func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    /// The trimmed value, nil when absent or blank.
    subscript(_ key: String) -> String? {
        guard let value = values[key]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}

extension Response {
    /// 303 after a POST, so reloading the next page never resubmits the form.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

extension Request {
    /// Query parameters decoded as browsers encode them: a GET form sends spaces as `+`, which
    /// `uri.queryParameters` leaves alone, so a search for "quan com" would look for "quan+com".
    var query: WebForm { WebForm(encoded: uri.query ?? "") }
}

extension WebForm {
    func get(_ key: String) -> String? { self[key] }
}
