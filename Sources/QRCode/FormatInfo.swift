// BCH-protected metadata written next to the finder patterns (ISO/IEC 18004 7.9, 7.10).

enum FormatInfo {
    /// 15-bit format word: level + mask, BCH(15,5) with generator 0x537, XOR-masked
    /// with 0x5412 so that the word is never all zeros.
    static func bits(level: ErrorCorrectionLevel, mask: Int) -> Int {
        precondition((0..<8).contains(mask))
        let data = level.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// 18-bit version word for versions 7+, BCH(18,6) with generator 0x1F25 (not masked).
    static func versionBits(_ version: Int) -> Int {
        precondition(version >= 7 && version <= Tables.maxVersion)
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    /// Module coordinates (x, y) of both copies of format bit i, bit 0 = least significant.
    static func positions(size: Int) -> [(first: (x: Int, y: Int), second: (x: Int, y: Int))] {
        (0..<15).map { i in
            let first: (x: Int, y: Int)
            switch i {
            case 0...5: first = (8, i)
            case 6: first = (8, 7)      // skip the vertical timing pattern row
            case 7: first = (8, 8)
            case 8: first = (7, 8)      // skip the horizontal timing pattern column
            default: first = (14 - i, 8)
            }
            let second: (x: Int, y: Int) = i < 8 ? (size - 1 - i, 8) : (8, size - 15 + i)
            return (first, second)
        }
    }
}
