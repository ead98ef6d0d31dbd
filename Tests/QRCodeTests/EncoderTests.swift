import Testing
@testable import QRCode

@Suite("Data encoding and symbol construction")
struct EncoderTests {
    @Test("Byte-mode data codewords for \"01234567\" at 1-M, bit stream assembled by hand")
    func dataCodewords() {
        // 0100 | 00001000 | 0x30…0x37 | 0000 terminator, then pad bytes 0xEC 0x11 alternating.
        let expected: [UInt8] = [0x40, 0x83, 0x03, 0x13, 0x23, 0x33, 0x43, 0x53, 0x63, 0x70,
                                 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let data = Encoder.dataCodewords(Array("01234567".utf8), version: 1, level: .medium)
        #expect(data == expected)
        #expect(ReedSolomon(degree: 10).errorCorrection(for: data)
            == [0x86, 0x4D, 0xDB, 0xE9, 0x75, 0x2E, 0x45, 0x67, 0x02, 0xBF])
    }

    @Test("Version 10+ uses a 16-bit count; a full symbol ends with the 4-bit terminator")
    func longCountAndFullSymbol() {
        let payload = samplePayload(count: 271, seed: 1) // exactly fills 10-L
        let data = Encoder.dataCodewords(payload, version: 10, level: .low)
        #expect(data.count == Tables.dataCodewords(version: 10, level: .low))
        #expect(data[0] == 0x40 && data[1] == 0x10 && data[2] == 0xF0 | payload[0] >> 4)
        #expect(data.last == payload.last! << 4) // low nibble of the last byte, then 0000
    }

    @Test("Interleaving: 5-Q has 2 blocks of 15 and 2 of 16 data codewords, 18 EC each")
    func interleaving() {
        let data = (0..<62).map { UInt8($0) }
        let out = Encoder.interleavedCodewords(data, version: 5, level: .quartile)
        #expect(out.count == 134)
        // Column-wise: block starts are 0, 15, 30, 46.
        #expect(Array(out[0..<8]) == [0, 15, 30, 46, 1, 16, 31, 47])
        // After 15 full columns only the long blocks contribute their 16th codeword.
        #expect(Array(out[60..<62]) == [45, 61])
        let rs = ReedSolomon(degree: 18)
        let block0 = rs.errorCorrection(for: Array(data[0..<15]))
        let block3 = rs.errorCorrection(for: Array(data[46..<62]))
        #expect(out[62] == block0[0] && out[65] == block3[0] && out[66] == block0[1])
    }

    @Test func chooseVersion() throws {
        #expect(try QRCode(text: "", level: .high).version == 1)
        #expect(try QRCode(bytes: samplePayload(count: 17, seed: 2), level: .low).version == 1)
        #expect(try QRCode(bytes: samplePayload(count: 18, seed: 2), level: .low).version == 2)
        #expect(try QRCode(bytes: samplePayload(count: 2953, seed: 2), level: .low).version == 40)
        #expect(try QRCode(text: "https://example.vn/c/Xk3aB9fQ2mZ").version == 3)
        let padded = try QRCode(text: "A", level: .low, minimumVersion: 9)
        #expect(padded.version == 9 && padded.size == 53)
        #expect(try QRCode(bytes: [], level: .medium).size == 21)
    }

    @Test("Too much data, bad minimum version: typed errors")
    func errors() {
        #expect(throws: QRCodeError.dataTooLong(byteCount: 1274, capacity: 1273)) {
            try QRCode(bytes: samplePayload(count: 1274, seed: 3), level: .high)
        }
        #expect(throws: QRCodeError.dataTooLong(byteCount: 2954, capacity: 2953)) {
            try QRCode(bytes: samplePayload(count: 2954, seed: 3), level: .low)
        }
        #expect(throws: QRCodeError.invalidMinimumVersion(0)) { try QRCode(text: "x", minimumVersion: 0) }
        #expect(throws: QRCodeError.invalidMinimumVersion(41)) { try QRCode(text: "x", minimumVersion: 41) }
        #expect(QRCodeError.dataTooLong(byteCount: 3000, capacity: 2953).description.contains("3000 bytes"))
    }

    @Test("Function patterns: finders, separators, timing, alignment")
    func functionPatterns() throws {
        let qr = try QRCode(text: "pattern check", minimumVersion: 7)
        let n = qr.size
        for (ox, oy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for dy in 0..<7 {
                for dx in 0..<7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(qr[ox + dx, oy + dy] == (ring != 2), "finder at (\(ox), \(oy))")
                }
            }
        }
        for i in 0..<8 { // separators
            #expect(!qr[7, i] && !qr[i, 7] && !qr[n - 8, i] && !qr[n - 1 - i, 7] && !qr[7, n - 1 - i] && !qr[i, n - 8])
        }
        for i in 8..<(n - 8) {
            #expect(qr[i, 6] == (i % 2 == 0) && qr[6, i] == (i % 2 == 0), "timing \(i)")
        }
        // Version 7 alignment centres 6, 22, 38: the centre one and its ring.
        #expect(qr[22, 22] && !qr[21, 22] && !qr[23, 23] && qr[20, 20] && qr[24, 22])
        #expect(qr[38, 22] && qr[22, 38] && qr[38, 38])
    }

    // Reference symbols produced by an independent implementation (Project Nayuki's
    // qrcodegen), byte mode, same mask forced so only the encoding pipeline is compared.
    @Test("Matches reference: check-in URL, 3-M, mask 2")
    func referenceCheckInURL() throws {
        let qr = try QRCode(bytes: Array("https://example.vn/c/Xk3aB9fQ2mZ".utf8), level: .medium, minimumVersion: 1, mask: 2)
        #expect(qr.version == 3)
        #expect(rows(of: qr) == Self.checkInURLMask2)
    }

    @Test("Matches reference: Vietnamese text, 7-Q, mask 5 (includes version information)")
    func referenceVersion7() throws {
        let qr = try QRCode(bytes: Array("Quán Cơm Bà Ba".utf8), level: .quartile, minimumVersion: 7, mask: 5)
        #expect(qr.version == 7)
        #expect(rows(of: qr) == Self.vietnameseV7Mask5)
    }

    static let checkInURLMask2: [String] = [
        "#######...######.####.#######",
        "#.....#...#########...#.....#",
        "#.###.#.#..#.#.#......#.###.#",
        "#.###.#.#.#...##.####.#.###.#",
        "#.###.#.#####..##...#.#.###.#",
        "#.....#.####.....##.#.#.....#",
        "#######.#.#.#.#.#.#.#.#######",
        "........#.##..#.#..##........",
        "#.#####..##.#...##.#..#####..",
        "###.#...########..##..###...#",
        "#....#####...####.#.##.##....",
        ".#.#.#.##....#.#...#.#.#.#.#.",
        "......#...###.##.........##..",
        ".####....##....##.#######...#",
        "#.#.#.##.##.#....##.#.#####..",
        "..#.....#.##..#.#.####..#..#.",
        ".#...####.#.#....###.....##..",
        "###.##.###...###.#.#.####.#.#",
        "#.##..##.#######..#.....#.#..",
        "#....#..##.###.....##......#.",
        "#...#.###...#.#.##.######.###",
        "........#.##...##.#.#...#####",
        "#######....#...###.##.#.###..",
        "#.....#.#.....###.###...#..#.",
        "#.###.#.###.........#####.##.",
        "#.###.#.#.#...#.#...##.#.####",
        "#.###.#.###.#..#..##.#######.",
        "#.....#..#...#.....##.####.#.",
        "#######.##.##.######.####.#..",
    ]

    static let vietnameseV7Mask5: [String] = [
        "#######.###.....##.##......#..#.#...#.#######",
        "#.....#.##.#...##....#.##..##......#..#.....#",
        "#.###.#.....#...#..##.........##...#..#.###.#",
        "#.###.#...##.##.#.#####.###.###.##.##.#.###.#",
        "#.###.#..##......#.######.....##.####.#.###.#",
        "#.....#..#.####...#.#...##...##.......#.....#",
        "#######.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#######",
        ".........###.##.....#...#.....#....#.........",
        ".#....###.#..#.##.#.######..#####..###.....##",
        "#.#....###.#.#..#..##.#.#.#...#...#.#..#..#.#",
        "#.##.##.#..#...####.#.##.#..#####..##.##.####",
        "..####.#.#...#...##...#####..#.#.##.#..#..#.#",
        ".#..###..##.####..####.#.#...#.###..#.###.#..",
        "#.##...#..#######..##..#.##.##.#.##.#..#.#..#",
        ".###.##.#....###..##.#.#....#.#..#.##..#.....",
        "...#.#.###.#...##.######..#.#.#.#.#.#.#.##..#",
        "#..#####..#.....#....#####..######...#..#.#..",
        "##..##.#####.#.##.##....#...#.#.##..#...#.##.",
        "##.#.##..##.....#.#.#.....###.#..###..#...#.#",
        "#.####.#.##.....####..#####..#...###.###..##.",
        "#.#.#####..########.#####.#.#..############..",
        "#..##...#..##...#..##...##...#...#..#...#.#.#",
        ".####.#.#....####.#.#.#.#...#.####..#.#.#####",
        "..###...##.#.#....#.#...####.#..###.#...###.#",
        "#.#######.#.#.#..#..#########.##.#..#####....",
        ".#...#.###..#..##.#...#...##..#.###.#.#...##.",
        "#.#..###.....##..###.#.#..##...#.#..###...#..",
        "#.#..#...#.#..#..##...##..#.##..#.#...#.#####",
        "#.#.####.....#####.#...#..#.#..##..##..#..#..",
        "#.#.##.#.#.##.#...##..####..##..#..#.#.##.#..",
        "..#...#.....#..#....####.....##...#..###..#..",
        "...##..##.#.##.....###.##..#.#.#.##.##.##.#.#",
        "###.###...#.##.##..##..#...#.....##..########",
        ".#####..##.##.#...#..##....###.###..#..###.##",
        "....#.##.......###..##..#..#..#..#..#####....",
        ".####....##....####.###....#..#..........#.#.",
        "#..##.#...#...##.##.######.##.#...#.#########",
        "........##...##.###.#...##.#..#.#...#...#.#.#",
        "#######.#.#.####.#.##.#.##.#.####..##.#.###.#",
        "#.....#....##...#.#.#...#.#.##.##.###...#.##.",
        "#.###.#...#.#....########.........#########..",
        "#.###.#..####..#.##.####..#..#.#.##.#....#.#.",
        "#.###.#..###..###....##############...#..#.##",
        "#.....#.##.....#####.####..#..##.....#.#.#...",
        "#######....#..#...##...##.##.##....#..#...##.",
    ]
}
