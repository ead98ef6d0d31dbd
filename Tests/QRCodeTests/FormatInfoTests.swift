import Testing
@testable import QRCode

@Suite("Format and version information")
struct FormatInfoTests {
    // Values from the ISO/IEC 18004 Annex C table (after XOR with 101010000010010).
    @Test(arguments: [
        (ErrorCorrectionLevel.low, 0, "111011111000100"),
        (.low, 4, "110011000101111"),
        (.low, 7, "110100101110110"),
        (.medium, 0, "101010000010010"),
        (.medium, 5, "100000011001110"),
        (.quartile, 0, "011010101011111"),
        (.quartile, 3, "011101000000110"),
        (.high, 0, "001011010001001"),
        (.high, 7, "000100000111011"),
    ])
    func formatBits(level: ErrorCorrectionLevel, mask: Int, expected: String) {
        #expect(FormatInfo.bits(level: level, mask: mask) == Int(expected, radix: 2))
    }

    @Test(arguments: [
        (7, "000111110010010100"),
        (8, "001000010110111100"),
        (21, "010101011010000011"),
        (40, "101000110001101001"),
    ])
    func versionBits(version: Int, expected: String) {
        #expect(FormatInfo.versionBits(version) == Int(expected, radix: 2))
    }

    @Test("Format information read back from both copies in finished symbols")
    func formatInSymbol() throws {
        for level in ErrorCorrectionLevel.allCases {
            for version in [1, 6, 7, 25] {
                let qr = try QRCode(text: "format \(version)", level: level, minimumVersion: version)
                var first = 0, second = 0
                for (i, p) in FormatInfo.positions(size: qr.size).enumerated() {
                    if qr[p.first.x, p.first.y] { first |= 1 << i }
                    if qr[p.second.x, p.second.y] { second |= 1 << i }
                }
                #expect(first == FormatInfo.bits(level: level, mask: qr.mask))
                #expect(second == first)
                #expect(qr[8, qr.size - 8], "dark module")
            }
        }
    }

    @Test("Version information blocks in a v7+ symbol, bit i at (size-11 + i%3, i/3) and transposed")
    func versionInSymbol() throws {
        let qr = try QRCode(text: "v", minimumVersion: 32)
        let expected = FormatInfo.versionBits(32)
        var topRight = 0, bottomLeft = 0
        for i in 0..<18 {
            let a = qr.size - 11 + i % 3, b = i / 3
            if qr[a, b] { topRight |= 1 << i }
            if qr[b, a] { bottomLeft |= 1 << i }
        }
        #expect(topRight == expected)
        #expect(bottomLeft == expected)
    }
}
