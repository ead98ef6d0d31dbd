import Crypto
import Foundation

/// Ravao's signed personal QR token: names a person and a version, verifiable without a database.
///
/// Layout: `RV1.` + 58 characters encoding `personId (16 bytes) | version (u32 BE) | HMAC-SHA256
/// over "RV1" 0x00 | those 20 bytes, truncated to 16 bytes` in base 32.
///
/// The base-32 alphabet is digits, the consonants `BCFGHJKLMNPQRSTVXZ` and `* + - $`. It contains
/// no vowel and none of `D`, `W`, `Y`, so no Vietnamese input method (Telex, VNI, VIQR) has
/// anything to rewrite: Telex/VNI/VIQR tone and hat keys only act after a vowel, `dd`/`d9` need a
/// `D` and Telex turns a lone `W` into `ư`. All characters are in the QR alphanumeric set, so the
/// 62-character token encodes densely, and decoding ignores letter case (Caps Lock on a scanner
/// host inverts it).
public enum PersonalToken {
    /// The prefix that marks a version-1 token.
    public static let prefix = "RV1."
    /// Length of a version-1 token in characters.
    public static let length = 62
    /// Bytes of the truncated HMAC; 128 bits leaves online forgery hopeless.
    static let macLength = 16
    static let bodyLength = 20
    static let alphabet: [UInt8] = Array("0123456789BCFGHJKLMNPQRSTVXZ*+-$".utf8)
    private static let domain: [UInt8] = Array("RV1".utf8) + [0]

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() {
            table[Int(c)] = Int8(i)
            if c >= 0x41 && c <= 0x5A { table[Int(c + 0x20)] = Int8(i) }
        }
        return table
    }()

    /// Why a token did not verify.
    public enum VerificationError: Error, Sendable, Equatable, Hashable, Codable {
        /// Wrong prefix, length, alphabet or padding bits.
        case malformed
        /// `RVn.` with a version other than 1.
        case unsupportedVersion
        /// Well-formed, but the signature does not match the key.
        case badSignature
    }

    /// Issues a token for `personId` at `version` (0…UInt32.max); a new version revokes older ones.
    public static func issue(personId: UUID, version: Int, key: SymmetricKey) -> String {
        precondition(version >= 0 && version <= Int(UInt32.max), "token version must fit in UInt32")
        let body = bodyBytes(personId: personId, version: UInt32(version))
        let mac = HMAC<SHA256>.authenticationCode(for: domain + body, using: key)
        return prefix + encode(body + Array(mac).prefix(macLength))
    }

    /// Verifies a token and returns the person id and version it names; constant-time comparison.
    public static func verify(_ text: String, key: SymmetricKey) -> Result<(personId: UUID, version: Int), VerificationError> {
        verify(text, keys: [key])
    }

    /// Verifies against several keys, so a signing key can be rotated without voiding printed cards.
    public static func verify(_ text: String, keys: [SymmetricKey]) -> Result<(personId: UUID, version: Int), VerificationError> {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 4, utf8[0] | 0x20 == 0x72, utf8[1] | 0x20 == 0x76 else { return .failure(.malformed) }
        // Read the format version first: a future RV2 token must not be reported as damaged.
        var i = 2
        while i < utf8.count, i < 6, utf8[i] >= 0x30, utf8[i] <= 0x39 { i += 1 }
        guard i > 2, i < utf8.count, utf8[i] == 0x2E else { return .failure(.malformed) }
        guard i == 3, utf8[2] == 0x31 else { return .failure(.unsupportedVersion) }
        guard utf8.count == length, let bytes = decode(utf8[4...]) else { return .failure(.malformed) }
        let body = Array(bytes[0..<bodyLength])
        let mac = Array(bytes[bodyLength...])
        for key in keys {
            let full = HMAC<SHA256>.authenticationCode(for: domain + body, using: key)
            // isValidAuthenticationCode needs the full 32-byte code, so the truncated one is
            // compared here without early exit instead.
            if constantTimeEqual(Array(full).prefix(macLength), mac[...]) {
                let uuid = body.withUnsafeBytes { raw in
                    UUID(uuid: raw.loadUnaligned(as: uuid_t.self))
                }
                let version = body[16..<20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                return .success((uuid, Int(version)))
            }
        }
        return .failure(.badSignature)
    }

    /// True when the text starts like a Ravao token (`RV` + digits + `.`), in any case.
    static func hasTokenPrefix(_ text: some StringProtocol) -> Bool {
        let u = text.utf8
        var it = u.makeIterator()
        guard let r = it.next(), r | 0x20 == 0x72, let v = it.next(), v | 0x20 == 0x76 else { return false }
        var digits = 0
        while let b = it.next() {
            if b >= 0x30 && b <= 0x39 { digits += 1; if digits > 3 { return false }; continue }
            return b == 0x2E && digits > 0
        }
        return false
    }

    private static func bodyBytes(personId: UUID, version: UInt32) -> [UInt8] {
        var bytes = withUnsafeBytes(of: personId.uuid) { Array($0) }
        bytes += [UInt8(version >> 24), UInt8(version >> 16 & 0xFF), UInt8(version >> 8 & 0xFF), UInt8(version & 0xFF)]
        return bytes
    }

    private static func constantTimeEqual(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt32(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes exactly 36 bytes; rejects non-zero padding bits so each token has one spelling.
    static func decode(_ chars: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bodyLength + macLength)
        var buffer: UInt32 = 0
        var bits = 0
        for c in chars {
            guard c < 128 else { return nil }
            let v = decodeTable[Int(c)]
            guard v >= 0 else { return nil }
            buffer = buffer << 5 | UInt32(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(buffer >> UInt32(bits) & 0xFF))
            }
        }
        guard out.count == bodyLength + macLength, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }
}
