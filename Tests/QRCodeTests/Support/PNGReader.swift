@testable import QRCode

/// Minimal PNG reader for the writer's own output (1-bit grayscale, filter 0, stored or
/// fixed-Huffman deflate). It validates every checksum so a structural mistake fails loudly.
struct PNGReader {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let width: Int
    let height: Int
    /// Row-major, true = white.
    let pixels: [Bool]
    let chunkTypes: [String]

    init(_ png: [UInt8]) throws {
        guard png.count > 8, Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure(description: "bad signature")
        }
        var offset = 8
        var types: [String] = []
        var ihdr: [UInt8] = []
        var idat: [UInt8] = []
        func u32(_ at: Int) -> Int {
            Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        }
        while offset < png.count {
            let length = u32(offset)
            let typeBytes = Array(png[(offset + 4)..<(offset + 8)])
            let data = Array(png[(offset + 8)..<(offset + 8 + length)])
            let crc = UInt32(u32(offset + 8 + length))
            guard CRC32.checksum(typeBytes + data) == crc else { throw Failure(description: "CRC mismatch") }
            let type = String(decoding: typeBytes, as: UTF8.self)
            types.append(type)
            if type == "IHDR" { ihdr = data }
            if type == "IDAT" { idat += data }
            offset += 12 + length
        }
        chunkTypes = types
        guard ihdr.count == 13 else { throw Failure(description: "bad IHDR") }
        width = Int(ihdr[0]) << 24 | Int(ihdr[1]) << 16 | Int(ihdr[2]) << 8 | Int(ihdr[3])
        height = Int(ihdr[4]) << 24 | Int(ihdr[5]) << 16 | Int(ihdr[6]) << 8 | Int(ihdr[7])
        guard Array(ihdr[8...]) == [1, 0, 0, 0, 0] else { throw Failure(description: "not 1-bit grayscale") }

        guard idat.count >= 6, (Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0, idat[0] & 0x0F == 8 else {
            throw Failure(description: "bad zlib header")
        }
        let raw = try Self.inflate(Array(idat[2..<(idat.count - 4)]))
        let adler = UInt32(idat[idat.count - 4]) << 24 | UInt32(idat[idat.count - 3]) << 16
            | UInt32(idat[idat.count - 2]) << 8 | UInt32(idat[idat.count - 1])
        guard Adler32.checksum(raw) == adler else { throw Failure(description: "Adler-32 mismatch") }

        let rowBytes = 1 + (width + 7) / 8
        guard raw.count == rowBytes * height else { throw Failure(description: "pixel data has \(raw.count) bytes, expected \(rowBytes * height)") }
        var pixels: [Bool] = []
        pixels.reserveCapacity(width * height)
        for y in 0..<height {
            guard raw[y * rowBytes] == 0 else { throw Failure(description: "unexpected filter type") }
            for x in 0..<width {
                pixels.append(raw[y * rowBytes + 1 + x / 8] & (0x80 >> UInt8(x % 8)) != 0)
            }
        }
        self.pixels = pixels
    }

    func isWhite(x: Int, y: Int) -> Bool { pixels[y * width + x] }

    /// RFC 1951 inflate for block types 0 (stored) and 1 (fixed Huffman).
    static func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var bitPosition = 0
        func bit() throws -> Int {
            guard bitPosition >> 3 < input.count else { throw Failure(description: "deflate stream truncated") }
            let b = Int(input[bitPosition >> 3] >> UInt8(bitPosition & 7)) & 1
            bitPosition += 1
            return b
        }
        func bits(_ n: Int) throws -> Int {
            var value = 0
            for i in 0..<n { value |= try bit() << i }
            return value
        }
        func literalLength() throws -> Int {
            var code = 0
            for length in 1...9 {
                code = code << 1 | (try bit())
                switch (length, code) {
                case (7, 0...23): return 256 + code
                case (8, 0x30...0xBF): return code - 0x30
                case (8, 0xC0...0xC7): return 280 + code - 0xC0
                case (9, 0x190...0x1FF): return 144 + code - 0x190
                default: continue
                }
            }
            throw Failure(description: "invalid fixed Huffman code")
        }
        let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

        var out: [UInt8] = []
        var final = false
        while !final {
            final = try bits(1) == 1
            switch try bits(2) {
            case 0:
                bitPosition = (bitPosition + 7) & ~7
                let start = bitPosition >> 3
                guard start + 4 <= input.count else { throw Failure(description: "stored header truncated") }
                let length = Int(input[start]) | Int(input[start + 1]) << 8
                let complement = Int(input[start + 2]) | Int(input[start + 3]) << 8
                guard length ^ 0xFFFF == complement, start + 4 + length <= input.count else { throw Failure(description: "bad stored block") }
                out += input[(start + 4)..<(start + 4 + length)]
                bitPosition = (start + 4 + length) * 8
            case 1:
                while true {
                    let symbol = try literalLength()
                    if symbol < 256 { out.append(UInt8(symbol)); continue }
                    if symbol == 256 { break }
                    let lengthCode = symbol - 257
                    guard lengthCode < lengthBase.count else { throw Failure(description: "bad length code") }
                    let length = lengthBase[lengthCode] + (try bits(lengthExtra[lengthCode]))
                    var distanceCode = 0
                    for _ in 0..<5 { distanceCode = distanceCode << 1 | (try bit()) }
                    guard distanceCode < distanceBase.count else { throw Failure(description: "bad distance code") }
                    let distance = distanceBase[distanceCode] + (try bits(distanceExtra[distanceCode]))
                    guard distance <= out.count else { throw Failure(description: "distance beyond output") }
                    for _ in 0..<length { out.append(out[out.count - distance]) }
                }
            default:
                throw Failure(description: "unsupported block type")
            }
        }
        return out
    }
}
