import Testing
@testable import QRCode

@Suite("Reed–Solomon")
struct ReedSolomonTests {
    @Test("ISO/IEC 18004 Annex I example: 1-M, \"01234567\" in numeric mode")
    func isoAnnexExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        #expect(ReedSolomon(degree: 10).errorCorrection(for: data)
            == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test("\"HELLO WORLD\" alphanumeric, 1-M and 1-Q")
    func helloWorld() {
        let m: [UInt8] = [0x20, 0x5B, 0x0B, 0x78, 0xD1, 0x72, 0xDC, 0x4D, 0x43, 0x40, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        #expect(ReedSolomon(degree: 10).errorCorrection(for: m)
            == [0xC4, 0x23, 0x27, 0x77, 0xEB, 0xD7, 0xE7, 0xE2, 0x5D, 0x17])
        let q = Array(m.prefix(13))
        #expect(ReedSolomon(degree: 13).errorCorrection(for: q)
            == [0xA8, 0x48, 0x16, 0x52, 0xD9, 0x36, 0x9C, 0x00, 0x2E, 0x0F, 0xB4, 0x7A, 0x10])
    }

    @Test("Codeword polynomial is divisible by the generator: evaluates to 0 at every root")
    func rootsVanish() {
        for degree in [7, 10, 13, 17, 22, 30] {
            let data = samplePayload(count: 40, seed: degree)
            let codeword = data + ReedSolomon(degree: degree).errorCorrection(for: data)
            for i in 0..<degree {
                let root = GaloisField.exp[i]
                var value: UInt8 = 0 // Horner's rule, highest coefficient first
                for c in codeword { value = GaloisField.multiply(value, root) ^ c }
                #expect(value == 0, "degree \(degree), root α^\(i)")
            }
        }
    }

    @Test func fieldTables() {
        #expect(GaloisField.exp[0] == 1)
        #expect(GaloisField.exp[8] == 0x1D) // α^8 = x^4 + x^3 + x^2 + 1
        #expect(GaloisField.exp[255] == 1)
        #expect(Set(GaloisField.exp[0..<255]).count == 255)
        #expect(GaloisField.multiply(0x53, 0xCA) == GaloisField.exp[(GaloisField.log[0x53] + GaloisField.log[0xCA]) % 255])
    }
}
