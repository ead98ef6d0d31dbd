import Hummingbird
import NIOCore
@testable import RavaoServer
import Testing

@Suite("JSON bodies") struct JSONBodyTests {
    /// PostgreSQL cannot store NUL: the escape is refused wherever it stands, and only the escape.
    @Test func anEscapedNULIsFoundWhereverItStands() {
        func found(_ text: String) -> Bool { Request.containsEscapedNUL(ByteBuffer(string: text)) }
        #expect(found(#"\u0000"#))
        #expect(found(#"{"name":"A\u0000"}"#))
        #expect(found(#"{"name":"Nguyễn Văn An\u0000"#))
        #expect(found(#"\u0000{"name":"A"}"#))
        #expect(!found(""))
        #expect(!found(#"\u000"#))
        #expect(!found(#"{"name":"A\u0001","x":"\u0010"}"#))
        #expect(!found(#"{"payload":"079085001234|123456789|Nguyễn Văn An|15081985|Nam|\\|u0000"}"#))
        #expect(!found(#"{"name":"A\u00e9"}"#))
    }
}
