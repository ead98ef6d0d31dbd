import Crypto
import Foundation
import Testing
@testable import RavaoCore

@Suite("Ravao personal token")
struct PersonalTokenTests {
    @Test("issue and verify round trip; compact and QR-alphanumeric")
    func roundTrip() throws {
        for version in [0, 1, 3, 65_535, Int(UInt32.max)] {
            let token = PersonalToken.issue(personId: PayloadFixtures.personID, version: version, key: PayloadFixtures.key)
            #expect(token.hasPrefix("RV1."))
            #expect(token.count == PersonalToken.length)
            #expect(token.count <= 62)
            let qrAlphanumeric = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
            #expect(token.allSatisfy { qrAlphanumeric.contains($0) })
            let result = try PersonalToken.verify(token, key: PayloadFixtures.key).get()
            #expect(result.personId == PayloadFixtures.personID)
            #expect(result.version == version)
        }
    }

    @Test("random ids round trip and tokens are distinct")
    func randomIDs() throws {
        var rng = PayloadSplitMix64(seed: 42)
        var seen = Set<String>()
        for _ in 0..<500 {
            var bytes = [UInt8](repeating: 0, count: 16)
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
            let id = bytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
            let version = Int(UInt32.random(in: 0...UInt32.max, using: &rng))
            let token = PersonalToken.issue(personId: id, version: version, key: PayloadFixtures.key)
            #expect(seen.insert(token).inserted)
            let got = try PersonalToken.verify(token, key: PayloadFixtures.key).get()
            #expect(got.personId == id && got.version == version)
        }
    }

    /// Re-encodes the token's bytes after `mutate`, keeping the original MAC.
    func tampered(_ token: String, _ mutate: (inout [UInt8]) -> Void) -> String {
        var bytes = PersonalToken.decode(Array(token.utf8)[4...])!
        mutate(&bytes)
        return PersonalToken.prefix + PersonalToken.encode(bytes)
    }

    @Test("tampered person id, version or MAC fails the signature")
    func tampering() {
        let token = PayloadFixtures.token()
        for (label, index) in [("person id", 0), ("person id end", 15), ("version", 19), ("mac", 30)] {
            let forged = tampered(token) { $0[index] ^= 0x01 }
            #expect(forged != token, "\(label)")
            #expect(PersonalToken.verify(forged, key: PayloadFixtures.key) .failureValue == .badSignature, "\(label)")
        }
        let bumped = tampered(token) { $0[19] &+= 1 }
        #expect(PersonalToken.verify(bumped, key: PayloadFixtures.key).failureValue == .badSignature)
    }

    @Test("wrong key fails; key rotation accepts either key")
    func keys() throws {
        let token = PayloadFixtures.token()
        #expect(PersonalToken.verify(token, key: PayloadFixtures.otherKey).failureValue == .badSignature)
        let rotated = try PersonalToken.verify(token, keys: [PayloadFixtures.otherKey, PayloadFixtures.key]).get()
        #expect(rotated.version == 3)
        let recognizer = PayloadRecognizer(tokenKeys: [PayloadFixtures.otherKey, PayloadFixtures.key])
        #expect(recognizer.recognize(token).payload?.ravaoPersonID == PayloadFixtures.personID)
    }

    static let malformed: [String] = [
        "RV1.", "RV1", "RV1.B", "RV.ABC", "RVX.ABC",
        // one character short, one too many, a vowel (outside the alphabet)
    ]

    @Test("truncated, padded and foreign-alphabet tokens are malformed")
    func malformedTokens() {
        let token = PayloadFixtures.token()
        var cases = Self.malformed
        cases.append(String(token.dropLast()))
        cases.append(String(token.dropLast(10)))
        cases.append(token + "0")
        cases.append(String(token.dropLast()) + "A")
        cases.append(String(token.prefix(10)) + "é" + String(token.dropFirst(11)))
        for c in cases {
            #expect(PersonalToken.verify(c, key: PayloadFixtures.key).failureValue == .malformed, "\(c)")
        }
    }

    @Test("non-zero padding bits are rejected so each token has one spelling")
    func canonicalPadding() {
        let token = PayloadFixtures.token()
        let alphabet = Array("0123456789BCFGHJKLMNPQRSTVXZ*+-$")
        let last = token.last!
        let index = alphabet.firstIndex(of: last)!
        // The last character carries 3 data bits and 2 padding bits.
        let variant = String(token.dropLast()) + String(alphabet[index ^ 1])
        #expect(PersonalToken.verify(variant, key: PayloadFixtures.key).failureValue == .malformed)
    }

    @Test("lower case (Caps Lock) still verifies; other versions are named")
    func caseAndVersion() {
        let token = PayloadFixtures.token()
        #expect(PersonalToken.verify(token.lowercased(), key: PayloadFixtures.key).successValue?.version == 3)
        #expect(PersonalToken.verify("RV2." + token.dropFirst(4), key: PayloadFixtures.key).failureValue == .unsupportedVersion)
        #expect(PersonalToken.verify("RV10." + token.dropFirst(4), key: PayloadFixtures.key).failureValue == .unsupportedVersion)
    }

    @Test("no Vietnamese input method changes a token")
    func immuneToInputMethods() {
        var rng = PayloadSplitMix64(seed: 7)
        for _ in 0..<300 {
            let id = UUID(uuid: (UInt8.random(in: 0...255, using: &rng), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                 UInt8.random(in: 0...255, using: &rng)))
            let token = PersonalToken.issue(personId: id, version: Int.random(in: 0...1000, using: &rng), key: PayloadFixtures.key)
            for method in VietnameseInputMethod.allCases {
                #expect(IMESimulator.type(token, method) == token)
                #expect(IMESimulator.type(token.lowercased(), method) == token.lowercased())
            }
        }
    }
}

fileprivate extension Result {
    var failureValue: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }

    var successValue: Success? {
        if case .success(let s) = self { return s }
        return nil
    }
}
