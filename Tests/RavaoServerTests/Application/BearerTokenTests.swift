import HTTPTypes
import Hummingbird
import NIOCore
@testable import RavaoServer
import Testing

@Suite("Bearer tokens") struct BearerTokenTests {
    func token(_ authorization: String?) -> String? {
        var fields = HTTPFields()
        if let authorization { fields[.authorization] = authorization }
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/api/v1/scans", headerFields: fields),
                              body: .init(buffer: ByteBuffer()))
        return RequestIdentity.bearerToken(request)
    }

    /// The scheme in any case, spaces and tabs around the token trimmed, Unicode spaces too; anything
    /// else is no bearer token.
    @Test func theTokenIsWhatFollowsTheSchemeTrimmed() {
        #expect(token("Bearer abc.DEF-123_~") == "abc.DEF-123_~")
        #expect(token("bearer abc") == "abc")
        #expect(token("BEARER \t abc \t ") == "abc")
        #expect(token("Bearer \u{00A0}abc\u{3000}") == "abc")
        #expect(token("Bearer ") == nil)
        #expect(token("Bearer \t ") == nil)
        #expect(token("Bearer") == nil)
        #expect(token(nil) == nil)
        #expect(token("Basic YWxhZGRpbjpvcGVuc2VzYW1l") == nil)
        #expect(token("Bearerabc") == nil)
        #expect(token("Bearer a b") == "a b")
    }

    @Test func sessionsAreStoredAsTheHexOfTheirSHA256() {
        #expect(ServerKeys.tokenHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ServerKeys.tokenHash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
