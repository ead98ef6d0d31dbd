import Foundation

/// The reverse proxies whose `X-Forwarded-For` the deployment believes (trust rule 8).
///
/// A client may send any `X-Forwarded-For` it likes; each proxy appends the address it saw. So the
/// header is read only when the direct peer is a trusted proxy, from the right, skipping the entries
/// that are themselves trusted proxies: the first entry that is not is the client. The left-most
/// entry is never believed unless every proxy in front of it is trusted.
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for i in 0..<bytes.count where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[i] & mask != bytes[i] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let ranges: [Range]
    /// In-process router tests have no peer address; only they set this.
    var trustsRequestsWithoutPeer = false

    public static let none = TrustedProxies(ranges: [])

    init(ranges: [Range], trustsRequestsWithoutPeer: Bool = false) {
        self.ranges = ranges
        self.trustsRequestsWithoutPeer = trustsRequestsWithoutPeer
    }

    /// Parses a comma-separated list of addresses and CIDR ranges, e.g. "127.0.0.1, 10.0.0.0/8, ::1".
    public init(parsing text: String) throws {
        var ranges: [Range] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.bytes(parts[0]) else { throw ConfigurationError("'\(item)' is not an IP address or CIDR range") }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { throw ConfigurationError("'\(item)' has a bad prefix length") }
            ranges.append(Range(bytes: bytes, prefix: prefix))
        }
        self.ranges = ranges
    }

    /// For in-process tests of the router, which has no peer address to check.
    public static func forRouterTests() -> TrustedProxies { TrustedProxies(ranges: [], trustsRequestsWithoutPeer: true) }

    public var isEmpty: Bool { ranges.isEmpty && !trustsRequestsWithoutPeer }

    func trusts(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address given the peer (nil without one) and the `X-Forwarded-For` header.
    public func clientAddress(peer: String?, forwardedFor: String?) -> String {
        let peerTrusted = peer.map(trusts) ?? trustsRequestsWithoutPeer
        guard peerTrusted, let forwardedFor else { return peer ?? "unknown" }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trusts(hop) {
            return Self.bytes(hop) != nil ? hop : (peer ?? "unknown")
        }
        return hops.first ?? peer ?? "unknown"
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
