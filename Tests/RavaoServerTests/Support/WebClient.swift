import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A cookie-keeping client for the HTML pages, the way a browser posts forms.
final class WebClient: Sendable {
    let app: TestHarness
    private let cookies = Mutex<[String: String]>([:])
    private let lastPage = Mutex("")

    init(_ app: TestHarness) { self.app = app }

    var page: String { lastPage.withLock { $0 } }

    /// The CSRF token in the last page's forms.
    var csrf: String? {
        guard let range = page.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(page[range]).components(separatedBy: "value=\"")[1].dropLast().description
    }

    func cookie(_ name: String) -> String? { cookies.withLock { $0[name] } }

    @discardableResult
    func get(_ uri: String) async throws -> Reply {
        try await send(.get, uri, body: nil)
    }

    /// Posts a form, adding the CSRF token of the last page unless told not to.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], withCSRF: Bool = true) async throws -> Reply {
        var all = fields
        if withCSRF, let csrf { all.append(("_csrf", csrf)) }
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
        let body = all.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        return try await send(.post, uri, body: body)
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?) async throws -> Reply {
        var headers: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.9"]
        let jar = cookies.withLock { $0 }
        if !jar.isEmpty { headers[.cookie] = jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let reply = try await app.client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
        for header in reply.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let deleted = pair[1].isEmpty || header.contains("Max-Age=0")
            cookies.withLock { jar in
                if deleted { jar[String(pair[0])] = nil } else { jar[String(pair[0])] = String(pair[1]) }
            }
        }
        if reply.headers[.contentType]?.hasPrefix("text/html") == true { lastPage.withLock { $0 = reply.body } }
        return reply
    }
}
