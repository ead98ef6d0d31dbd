import Testing
@testable import QRCode

@Suite("Capacity and layout tables")
struct TablesTests {
    @Test(arguments: [
        // Byte-mode character capacities from ISO/IEC 18004 Table 7.
        (1, ErrorCorrectionLevel.low, 17), (1, .medium, 14), (1, .quartile, 11), (1, .high, 7),
        (2, .low, 32), (5, .quartile, 60), (7, .medium, 122), (10, .low, 271), (10, .high, 119),
        (20, .medium, 666), (27, .quartile, 805), (40, .low, 2953), (40, .medium, 2331),
        (40, .quartile, 1663), (40, .high, 1273),
    ])
    func byteCapacity(version: Int, level: ErrorCorrectionLevel, expected: Int) {
        #expect(Tables.byteCapacity(version: version, level: level) == expected)
    }

    @Test func totalCodewords() {
        #expect(Tables.totalCodewords(version: 1) == 26)
        #expect(Tables.totalCodewords(version: 7) == 196)
        #expect(Tables.totalCodewords(version: 40) == 3706)
        #expect(Tables.rawDataModules(version: 2) % 8 == 7) // 7 remainder bits
        #expect(Tables.rawDataModules(version: 14) % 8 == 3)
        #expect(Tables.rawDataModules(version: 21) % 8 == 4)
    }

    @Test("Table 9 block counts: data codewords per level (spot checks)")
    func dataCodewords() {
        #expect(Tables.dataCodewords(version: 5, level: .quartile) == 62) // 2×15 + 2×16
        #expect(Tables.dataCodewords(version: 5, level: .high) == 46)     // 2×11 + 2×12
        #expect(Tables.dataCodewords(version: 13, level: .medium) == 334)
        #expect(Tables.dataCodewords(version: 40, level: .high) == 1276)
    }

    @Test("Every version/level splits into blocks of at most one codeword difference")
    func blockStructureIsConsistent() {
        for version in 1...40 {
            var previous = Int.max
            for level in ErrorCorrectionLevel.allCases {
                let i = level.tableIndex
                let blocks = Tables.ecBlockCount[i][version]
                let total = Tables.totalCodewords(version: version)
                let data = Tables.dataCodewords(version: version, level: level)
                #expect(data > 0 && data < previous, "v\(version) \(level)")
                #expect(total / blocks - Tables.ecCodewordsPerBlock[i][version] > 0)
                previous = data
            }
        }
    }

    @Test("Alignment pattern centres match ISO/IEC 18004 Annex E for every version")
    func alignmentPositions() {
        #expect(Tables.alignmentPositions(version: 1).isEmpty)
        for version in 2...40 {
            #expect(Tables.alignmentPositions(version: version) == Self.annexE[version - 2], "v\(version)")
        }
    }

    /// Annex E, Table E.1, versions 2...40.
    static let annexE: [[Int]] = [
        [6, 18], // v2
        [6, 22], // v3
        [6, 26], // v4
        [6, 30], // v5
        [6, 34], // v6
        [6, 22, 38], // v7
        [6, 24, 42], // v8
        [6, 26, 46], // v9
        [6, 28, 50], // v10
        [6, 30, 54], // v11
        [6, 32, 58], // v12
        [6, 34, 62], // v13
        [6, 26, 46, 66], // v14
        [6, 26, 48, 70], // v15
        [6, 26, 50, 74], // v16
        [6, 30, 54, 78], // v17
        [6, 30, 56, 82], // v18
        [6, 30, 58, 86], // v19
        [6, 34, 62, 90], // v20
        [6, 28, 50, 72, 94], // v21
        [6, 26, 50, 74, 98], // v22
        [6, 30, 54, 78, 102], // v23
        [6, 28, 54, 80, 106], // v24
        [6, 32, 58, 84, 110], // v25
        [6, 30, 58, 86, 114], // v26
        [6, 34, 62, 90, 118], // v27
        [6, 26, 50, 74, 98, 122], // v28
        [6, 30, 54, 78, 102, 126], // v29
        [6, 26, 52, 78, 104, 130], // v30
        [6, 30, 56, 82, 108, 134], // v31
        [6, 34, 60, 86, 112, 138], // v32
        [6, 30, 58, 86, 114, 142], // v33
        [6, 34, 62, 90, 118, 146], // v34
        [6, 30, 54, 78, 102, 126, 150], // v35
        [6, 24, 50, 76, 102, 128, 154], // v36
        [6, 28, 54, 80, 106, 132, 158], // v37
        [6, 32, 58, 84, 110, 136, 162], // v38
        [6, 26, 54, 82, 110, 138, 166], // v39
        [6, 30, 58, 86, 114, 142, 170], // v40
    ]
}
