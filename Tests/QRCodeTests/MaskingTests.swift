import Testing
@testable import QRCode

@Suite("Masking")
struct MaskingTests {
    @Test("Mask conditions from ISO/IEC 18004 Table 10 (i = row, j = column)")
    func patterns() {
        let conditions: [(Int, Int) -> Bool] = [
            { i, j in (i + j) % 2 == 0 },
            { i, _ in i % 2 == 0 },
            { _, j in j % 3 == 0 },
            { i, j in (i + j) % 3 == 0 },
            { i, j in (i / 2 + j / 3) % 2 == 0 },
            { i, j in (i * j) % 2 + (i * j) % 3 == 0 },
            { i, j in ((i * j) % 2 + (i * j) % 3) % 2 == 0 },
            { i, j in ((i * j) % 3 + (i + j) % 2) % 2 == 0 },
        ]
        for (pattern, condition) in conditions.enumerated() {
            for i in 0..<12 {
                for j in 0..<12 {
                    #expect(Masking.inverts(pattern: pattern, x: j, y: i) == condition(i, j), "pattern \(pattern)")
                }
            }
        }
    }

    @Test("Masking never touches function patterns and is an involution")
    func applyOnlyToData() {
        let matrix = Matrix(version: 7)
        let original = matrix.modules
        let dataModules = matrix.dataModules
        for pattern in 0..<8 {
            var modules = original
            Masking.apply(pattern: pattern, to: &modules, dataModules: dataModules, size: matrix.size)
            for i in modules.indices where dataModules[i] == 0 { #expect(modules[i] == original[i]) }
            #expect(modules != original)
            Masking.apply(pattern: pattern, to: &modules, dataModules: dataModules, size: matrix.size)
            #expect(modules == original)
        }
    }

    @Test("Codeword placement fills every data module except the remainder bits", arguments: [1, 2, 7, 14, 21, 40])
    func placementCoversDataRegion(version: Int) {
        var matrix = Matrix(version: version)
        let dataModules = matrix.dataModules
        matrix.placeCodewords([UInt8](repeating: 0xFF, count: Tables.totalCodewords(version: version)))
        let lightDataModules = zip(matrix.modules, dataModules).filter { $0.1 == 1 && $0.0 == 0 }.count
        #expect(lightDataModules == Tables.rawDataModules(version: version) % 8)
        #expect(dataModules.filter { $0 == 1 }.count == Tables.rawDataModules(version: version))
    }

    @Test("Optimised penalty equals a naive reading of Table 11", arguments: [1, 2, 5, 7, 13, 27, 40])
    func penaltyMatchesNaive(version: Int) throws {
        let level = ErrorCorrectionLevel.allCases[version % 4]
        for mask in [version % 8, (version + 3) % 8] {
            let qr = try QRCode(bytes: samplePayload(count: 10 * version, seed: version + mask), level: level,
                                minimumVersion: version, mask: mask)
            let modules = (0..<(qr.size * qr.size)).map { qr[$0 % qr.size, $0 / qr.size] ? UInt8(1) : 0 }
            #expect(Masking.penalty(modules, size: qr.size) == naivePenalty(qr), "v\(version) \(level) mask \(mask)")
        }
    }

    @Test("The chosen mask has the lowest penalty of all eight (lowest number on ties)")
    func chosenMaskIsOptimal() throws {
        for (text, level) in [("https://example.vn/c/Xk3aB9fQ2mZ", ErrorCorrectionLevel.medium),
                              ("Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng", .quartile),
                              (String(repeating: "0123456789", count: 30), .low)] {
            let bytes = Array(text.utf8)
            let chosen = try QRCode(bytes: bytes, level: level)
            let penalties = try (0..<8).map { try naivePenalty(QRCode(bytes: bytes, level: level, minimumVersion: 1, mask: $0)) }
            #expect(chosen.mask == penalties.firstIndex(of: penalties.min()!)!, "\(penalties)")
            #expect(rows(of: chosen) == rows(of: try QRCode(bytes: bytes, level: level, minimumVersion: 1, mask: chosen.mask)))
        }
    }
}
