import Foundation
@testable import RavaoCore
import Testing

@Suite("Payload text") struct PayloadTextTests {
    /// The scalars `nfc` passes through untouched are each their own NFC form, alone and after every
    /// other one (a composition joins a scalar to the one before it); anything else, combining marks
    /// included, still goes through Foundation.
    @Test func theTextKeptAsItIsIsAlreadyNFC() {
        let kept = (0x20..<0x300).compactMap(Unicode.Scalar.init) + (0x1E00...0x1EFF).compactMap(Unicode.Scalar.init)
        for scalar in kept {
            let one = String(Character(scalar))
            #expect(one.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(one.unicodeScalars), "U+\(String(scalar.value, radix: 16))")
        }
        // Pairs: sampled with a stride, so every scalar is a first and a second member somewhere.
        for (i, a) in kept.enumerated() {
            for b in stride(from: i % 7, to: kept.count, by: 7) {
                let pair = String(String.UnicodeScalarView([a, kept[b]]))
                guard pair.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(pair.unicodeScalars) else {
                    Issue.record("U+\(String(a.value, radix: 16)) U+\(String(kept[b].value, radix: 16)) is not NFC")
                    return
                }
            }
        }
        #expect(PayloadText.nfc("Nguyễn Văn An") == "Nguyễn Văn An")
        // Decomposed input (a keyboard or scanner sending base letter + combining mark) is composed.
        let decomposed = "Nguye\u{302}\u{303}n"
        #expect(PayloadText.nfc(decomposed).unicodeScalars.elementsEqual("Nguy\u{1EC5}n".unicodeScalars))
        #expect(PayloadText.nfc("\u{212B}").unicodeScalars.elementsEqual("\u{C5}".unicodeScalars))
    }
}
