// Per-version constants from ISO/IEC 18004:2015, Table 9 (error correction
// characteristics). Rows are indexed by `ErrorCorrectionLevel.tableIndex`,
// columns by version (index 0 unused so the version number reads directly).

enum Tables {
    static let minVersion = 1
    static let maxVersion = 40

    /// EC codewords in each block; identical for every block of one version/level.
    static let ecCodewordsPerBlock: [[Int]] = [
        // L
        [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
         28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        // M
        [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
         26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        // Q
        [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
         28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        // H
        [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
         30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Number of RS blocks; short and long blocks are derived in `blockLayout`.
    static let ecBlockCount: [[Int]] = [
        // L
        [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
         8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        // M
        [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
         17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        // Q
        [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
         23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        // H
        [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
         25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules per side.
    static func size(version: Int) -> Int { 17 + 4 * version }

    /// Modules left for codewords and remainder bits once every function pattern
    /// and the format/version areas are removed (closed form of Table 1).
    static func rawDataModules(version v: Int) -> Int {
        var result = (16 * v + 128) * v + 64
        if v >= 2 {
            let alignCount = v / 7 + 2
            result -= (25 * alignCount - 10) * alignCount - 55
            if v >= 7 { result -= 36 }
        }
        return result
    }

    /// All codewords (data + EC) of a symbol; the leftover bits are remainder bits.
    static func totalCodewords(version: Int) -> Int { rawDataModules(version: version) / 8 }

    static func dataCodewords(version: Int, level: ErrorCorrectionLevel) -> Int {
        let i = level.tableIndex
        return totalCodewords(version: version) - ecCodewordsPerBlock[i][version] * ecBlockCount[i][version]
    }

    /// Width of the byte-mode character count indicator (Table 3).
    static func byteCountBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    /// Largest byte-mode payload: 4 mode bits + count indicator + 8 bits per byte must fit.
    static func byteCapacity(version: Int, level: ErrorCorrectionLevel) -> Int {
        (dataCodewords(version: version, level: level) * 8 - 4 - byteCountBits(version: version)) / 8
    }

    /// Alignment pattern centre coordinates (Annex E). The spacing rule reproduces
    /// the table: evenly spaced from the far edge, the first gap absorbing the rest,
    /// with version 32 as the one irregular entry.
    static func alignmentPositions(version v: Int) -> [Int] {
        guard v >= 2 else { return [] }
        let count = v / 7 + 2
        let step = v == 32 ? 26 : (v * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var positions = [6]
        var pos = size(version: v) - 7
        var tail: [Int] = []
        for _ in 0..<(count - 1) {
            tail.append(pos)
            pos -= step
        }
        positions.append(contentsOf: tail.reversed())
        return positions
    }
}
