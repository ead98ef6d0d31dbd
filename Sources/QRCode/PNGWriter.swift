// PNG output (ISO/IEC 15948): 1-bit grayscale, the smallest format every decoder reads.

enum PNGWriter {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// `rows` are complete scanlines, each already prefixed with its filter-type byte.
    /// Filtering is left at "none": for bilevel runs it gains nothing over LZ77 matches.
    static func encode(width: Int, height: Int, rows: [[UInt8]]) -> [UInt8] {
        var ihdr: [UInt8] = []
        ihdr.appendBigEndian(UInt32(width))
        ihdr.appendBigEndian(UInt32(height))
        ihdr += [1, 0, 0, 0, 0] // bit depth 1, grayscale, deflate, adaptive filtering, no interlace

        var raw: [UInt8] = []
        raw.reserveCapacity(rows.count * (rows.first?.count ?? 0))
        for row in rows { raw += row }

        var png = signature
        appendChunk("IHDR", ihdr, to: &png)
        appendChunk("IDAT", Deflate.zlib(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// Length, type, data, then CRC-32 over type and data.
    static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png.appendBigEndian(UInt32(data.count))
        png += typeBytes
        png += data
        png.appendBigEndian(CRC32.checksum(typeBytes + data))
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8(value >> 16 & 0xFF))
        append(UInt8(value >> 8 & 0xFF))
        append(UInt8(value & 0xFF))
    }
}

extension QRCode {
    /// PNG bytes: 1-bit grayscale, `scale` pixels per module, quiet zone included.
    public func png(scale: Int = 8, quietZone: Int = 4) -> [UInt8] {
        precondition(scale >= 1, "scale must be at least 1")
        precondition(quietZone >= 0, "quietZone must not be negative")
        let modulesPerSide = size + 2 * quietZone
        let pixels = modulesPerSide * scale
        let rowBytes = (pixels + 7) / 8

        // Gray value 1 is white, so start from all-white and clear the dark pixels.
        let lightRow: [UInt8] = [0] + [UInt8](repeating: 0xFF, count: rowBytes) // filter type 0, then pixels
        var rows: [[UInt8]] = []
        rows.reserveCapacity(pixels)
        for _ in 0..<(quietZone * scale) { rows.append(lightRow) }
        for y in 0..<size {
            var row = lightRow
            for x in 0..<size where self[x, y] {
                let first = (quietZone + x) * scale
                for px in first..<(first + scale) {
                    row[1 + (px >> 3)] &= ~(0x80 >> UInt8(px & 7))
                }
            }
            for _ in 0..<scale { rows.append(row) }
        }
        for _ in 0..<(quietZone * scale) { rows.append(lightRow) }
        return PNGWriter.encode(width: pixels, height: pixels, rows: rows)
    }
}
