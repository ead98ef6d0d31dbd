@preconcurrency import Crypto
import Foundation

/// Keys derived from the deployment's secret, one per purpose so that no value signed for one use
/// is accepted for another.
public struct ServerKeys: Sendable {
    private let csrfKey: SymmetricKey
    private let otpKey: SymmetricKey
    private let receiptKey: SymmetricKey
    /// Signs personal QR tokens (FORMATS.md §4).
    public let personalTokenKey: SymmetricKey

    public init(secret: [UInt8]) {
        let master = SymmetricKey(data: secret)
        func derive(_ label: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(label.utf8), using: master)))
        }
        csrfKey = derive("ravao/csrf/v1")
        otpKey = derive("ravao/otp/v1")
        receiptKey = derive("ravao/receipt/v1")
        personalTokenKey = derive("ravao/personal-token/v1")
    }

    /// The CSRF token for a binding (session token or anonymous cookie).
    public func csrfToken(for binding: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: csrfKey)).base64URLEncoded()
    }

    public func isValidCSRF(_ token: String, for binding: String) -> Bool {
        guard !binding.isEmpty, let mac = Data(base64URLEncoded: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(binding.utf8), using: csrfKey)
    }

    /// A check-in receipt's link: the check-in id and a MAC over it, so whoever holds the link (the
    /// phone that checked in) can see the receipt and check out, and nobody can enumerate receipts.
    public func receiptToken(_ checkInId: UUID) -> String {
        checkInId.uuidString.lowercased() + "." + Data(HMAC<SHA256>.authenticationCode(for: Data(checkInId.uuidString.utf8), using: receiptKey).prefix(16)).base64URLEncoded()
    }

    public func checkInId(fromReceipt token: String) -> UUID? {
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[0])) else { return nil }
        let expected = receiptToken(id)
        guard expected.utf8.count == token.utf8.count else { return nil }
        // Constant-time comparison of the whole token.
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, token.utf8) { difference |= a ^ b }
        return difference == 0 ? id : nil
    }

    /// Codes are stored only as a keyed hash bound to the phone, so a database read reveals no code.
    public func otpHash(phone: String, code: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(phone)|\(code)".utf8), using: otpKey)).hexString
    }

    /// A keyed hash of a typed identifier, for counting distinct ones without storing the number.
    public func identifierHash(_ value: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("typed|\(value)".utf8), using: otpKey).prefix(16)).hexString
    }

    /// Session tokens are stored as their SHA-256; the token itself lives only in the cookie or client.
    public static func tokenHash(_ token: String) -> String {
        // No `Data` on the way: converting the token and the digest to it cost half the hash (issue 16).
        SHA256.hash(data: Array(token.utf8)).withUnsafeBytes { Data.hex($0) }
    }

    /// 32 random bytes, base64url: session tokens, anonymous CSRF bindings.
    public static func randomToken() -> String {
        // Four 64-bit draws rather than 32 one-byte ones: each draw is a getrandom(2) system call, and
        // every page view without a session makes one of these for its anonymous CSRF cookie.
        var rng = SystemRandomNumberGenerator()
        var words = (rng.next() as UInt64, rng.next() as UInt64, rng.next() as UInt64, rng.next() as UInt64)
        return withUnsafeBytes(of: &words) { Data($0) }.base64URLEncoded()
    }
}

extension Data {
    /// Lower-case hex. Written out by hand: `String(format:)` per byte cost more than the SHA-256
    /// itself on every authenticated request.
    var hexString: String { withUnsafeBytes { Self.hex($0) } }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func base64URLEncoded() -> String {
        // Byte by byte: three Foundation `replacingOccurrences` calls cost more than the random draws
        // and the encoding together, on every page view that gets an anonymous cookie.
        var bytes = Array(base64EncodedString().utf8)
        bytes.removeAll { $0 == UInt8(ascii: "=") }
        for i in bytes.indices {
            if bytes[i] == UInt8(ascii: "+") { bytes[i] = UInt8(ascii: "-") } else if bytes[i] == UInt8(ascii: "/") { bytes[i] = UInt8(ascii: "_") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
