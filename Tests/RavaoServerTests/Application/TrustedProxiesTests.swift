import Testing
@testable import RavaoServer

/// Trust rule 8: the client address comes from the right of `X-Forwarded-For`, past trusted proxies only.
@Suite("Trusted proxies") struct TrustedProxiesTests {
    @Test func theClientIsTheFirstUntrustedHopFromTheRight() throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1, 10.0.0.0/8, ::1")
        // A client-supplied left-most entry is never believed.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: "6.6.6.6, 203.0.113.9") == "203.0.113.9")
        // Two proxies of ours in a row.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "6.6.6.6, 203.0.113.9, 10.9.9.9") == "203.0.113.9")
        // A peer that is not a proxy of ours: its header is ignored.
        #expect(proxies.clientAddress(peer: "198.51.100.7", forwardedFor: "203.0.113.9") == "198.51.100.7")
        // Garbage where the client should be: the peer, not the garbage.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: "not-an-address") == "127.0.0.1")
        #expect(proxies.clientAddress(peer: "::1", forwardedFor: "2001:db8::5") == "2001:db8::5")
        #expect(TrustedProxies.none.clientAddress(peer: "127.0.0.1", forwardedFor: "203.0.113.9") == "127.0.0.1")
    }

    @Test func rangesAndBadInput() throws {
        let proxies = try TrustedProxies(parsing: "192.168.0.0/16")
        #expect(proxies.trusts("192.168.44.1") && !proxies.trusts("192.169.0.1") && !proxies.trusts("::1"))
        #expect(throws: ConfigurationError.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: ConfigurationError.self) { try TrustedProxies(parsing: "proxy.local") }
    }
}
