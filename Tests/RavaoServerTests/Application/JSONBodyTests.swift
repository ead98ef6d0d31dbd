import Foundation
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

@Suite("API times") struct ISOTimeTests {
    /// The hand-written times against Foundation's ISO 8601, every 7 h 13 min from 1900 to 2100 and
    /// around midnight.
    @Test func timesAreWhatFoundationWrites() {
        var seconds: Int64 = -2_208_988_800
        while seconds < 4_102_444_800 {
            for t in [seconds, seconds - seconds % 86_400, seconds - seconds % 86_400 - 1] {
                let expected = Date(timeIntervalSince1970: TimeInterval(t)).formatted(.iso8601)
                guard ISOTime.string(t) == expected else {
                    Issue.record("\(t): \(ISOTime.string(t)) against \(expected)")
                    return
                }
            }
            seconds += 25_980
        }
    }
}
