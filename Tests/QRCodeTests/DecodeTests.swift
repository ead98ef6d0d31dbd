import Foundation
import Testing
@testable import QRCode

/// End-to-end checks: encode, render, decode with zbarimg, compare byte for byte.
@Suite("Round trip through zbarimg")
struct DecodeTests {
    @Test("Every version, filled to capacity (level cycles L/M/Q/H)", arguments: 1...40)
    func everyVersion(version: Int) throws {
        let level = ErrorCorrectionLevel.allCases[version % 4]
        let payload = samplePayload(count: Tables.byteCapacity(version: version, level: level), seed: version)
        let qr = try QRCode(bytes: payload, level: level)
        #expect(qr.version == version)
        #expect(qr.size == 17 + 4 * version)
        #expect(try Zbar.decode(qr, scale: version <= 10 ? 4 : version <= 25 ? 3 : 2) == payload)
    }

    @Test("All levels at several versions", arguments: [2, 7, 14, 40], ErrorCorrectionLevel.allCases)
    func allLevels(version: Int, level: ErrorCorrectionLevel) throws {
        // Short enough for 2-H (14 bytes); larger versions get the check-in URL as well.
        let text = "Ravao v\(version)" + (version >= 7 ? " https://example.vn/c/Xk3aB9fQ2mZ" : "")
        let qr = try QRCode(text: text, level: level, minimumVersion: version)
        #expect(qr.version == version && qr.level == level)
        #expect(String(decoding: try Zbar.decode(qr, scale: version < 25 ? 3 : 2), as: UTF8.self) == text)
    }

    @Test("Texts: Vietnamese, check-in URL, single character, empty, long", arguments: [
        "Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng",
        "https://example.vn/c/Xk3aB9fQ2mZ",
        "x",
        "",
        String(repeating: "Phở bò tái nạm, ", count: 55) // 1210 bytes,
    ])
    func texts(text: String) throws {
        for level in [ErrorCorrectionLevel.medium, .high] {
            let qr = try QRCode(text: text, level: level)
            #expect(String(decoding: try Zbar.decode(qr), as: UTF8.self) == text)
        }
    }

    @Test("Arbitrary bytes, including invalid UTF-8, come back unchanged")
    func binary() throws {
        let payload = (0...255).map { UInt8($0) } + [0xFF, 0xFE, 0xC3]
        #expect(try Zbar.decode(QRCode(bytes: payload, level: .low)) == payload)
    }

    @Test("Largest payload at H decodes; one more byte throws")
    func longestAtHigh() throws {
        let payload = samplePayload(count: 1273, seed: 40)
        #expect(try Zbar.decode(QRCode(bytes: payload, level: .high), scale: 3) == payload)
        #expect(throws: QRCodeError.self) { try QRCode(bytes: payload + [0], level: .high) }
    }
}
