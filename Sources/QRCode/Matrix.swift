/// Module grid under construction: function patterns, codeword placement and masking.
/// Stored row-major as 0/1 bytes because the mask search copies and scans it 8 times.
struct Matrix {
    let version: Int
    let size: Int
    /// 1 = dark.
    var modules: [UInt8]
    /// Modules owned by function patterns or format/version areas; never masked, never data.
    private(set) var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        size = Tables.size(version: version)
        modules = [UInt8](repeating: 0, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        drawFunctionPatterns()
    }

    /// 1 where masking applies (data and remainder modules), 0 on function patterns.
    var dataModules: [UInt8] { isFunction.map { $0 ? 0 : 1 } }

    private mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark ? 1 : 0
        isFunction[y * size + x] = true
    }

    private mutating func drawFunctionPatterns() {
        // Timing patterns first; finders and alignment patterns then overwrite the overlaps.
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinder(centerX: 3, centerY: 3)
        drawFinder(centerX: size - 4, centerY: 3)
        drawFinder(centerX: 3, centerY: size - 4)

        let positions = Tables.alignmentPositions(version: version)
        let last = positions.count - 1
        for (i, cy) in positions.enumerated() {
            for (j, cx) in positions.enumerated() {
                // The three corners coincide with finder patterns.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 {
                        setFunction(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }

        // Reserve the format areas now so data placement skips them; real bits come after masking.
        for (first, second) in FormatInfo.positions(size: size) {
            setFunction(first.x, first.y, false)
            setFunction(second.x, second.y, false)
        }
        setFunction(8, size - 8, true) // the "dark module", always dark

        if version >= 7 {
            let bits = FormatInfo.versionBits(version)
            for i in 0..<18 {
                let dark = (bits >> i) & 1 != 0
                let a = size - 11 + i % 3
                let b = i / 3
                setFunction(a, b, dark) // top-right block, 6 wide × 3 tall
                setFunction(b, a, dark) // bottom-left block, transposed
            }
        }
    }

    /// 7×7 finder plus its one-module light separator (clipped at the symbol edge).
    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx, y = centerY + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x, y, ring != 2 && ring != 4)
            }
        }
    }

    /// Places codeword bits in the two-column zigzag from the bottom-right corner,
    /// skipping function modules; unused remainder bits stay light (0) before masking.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 } // the vertical timing pattern column is skipped entirely
            let upward = (right + 1) & 2 == 0
            for vert in 0..<size {
                let y = upward ? size - 1 - vert : vert
                for dx in 0..<2 {
                    let index = y * size + right - dx
                    guard !isFunction[index], bitIndex < totalBits else { continue }
                    let byte = codewords[bitIndex >> 3]
                    modules[index] = (byte >> UInt8(7 - (bitIndex & 7))) & 1
                    bitIndex += 1
                }
            }
            right -= 2
        }
        precondition(bitIndex == totalBits, "codeword count does not match the version's capacity")
    }
}
