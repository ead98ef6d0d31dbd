import Foundation
import Testing
@testable import QRCode

@Suite("PNG output")
struct PNGTests {
    @Test("CRC-32 and Adler-32 known values")
    func checksums() {
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Adler32.checksum([UInt8](repeating: 0xFF, count: 100_000)) == 0x149A_302C) // zlib.adler32
    }

    @Test("Deflate output inflates back to the input", arguments: [0, 1, 3, 100, 5000, 70000])
    func deflateRoundTrip(count: Int) throws {
        let random = samplePayload(count: count, seed: count)
        let runs: [UInt8] = (0..<count).map { i in (i / 37) % 3 == 0 ? 0xFF : UInt8(i % 5) }
        for input in [random, runs] {
            #expect(try PNGReader.inflate(Deflate.compress(input)) == input)
        }
    }

    @Test("Pixels match the modules exactly, quiet zone light, chunks in order", arguments: [(1, 0), (3, 4), (8, 2)])
    func pixelsMatchModules(scale: Int, quietZone: Int) throws {
        let qr = try QRCode(text: "https://example.vn/c/Xk3aB9fQ2mZ", level: .high)
        let png = try PNGReader(qr.png(scale: scale, quietZone: quietZone))
        #expect(png.chunkTypes == ["IHDR", "IDAT", "IEND"])
        let side = (qr.size + 2 * quietZone) * scale
        #expect(png.width == side && png.height == side)
        for y in 0..<side {
            for x in 0..<side {
                let mx = x / scale - quietZone, my = y / scale - quietZone
                let dark = mx >= 0 && my >= 0 && mx < qr.size && my < qr.size && qr[mx, my]
                if png.isWhite(x: x, y: y) == dark {
                    Issue.record("pixel (\(x), \(y)) wrong")
                    return
                }
            }
        }
    }

    @Test("Compression pays off on large symbols")
    func compressed() throws {
        let qr = try QRCode(bytes: samplePayload(count: 2900, seed: 9), level: .low)
        let png = qr.png(scale: 8)
        let rawSize = (qr.size + 8) * 8 * (1 + ((qr.size + 8) * 8 + 7) / 8)
        #expect(png.count < rawSize / 4)
        #expect(try PNGReader(png).width == 1480)
    }
}
