import Foundation
import Testing
@testable import QRCode

/// Every symbol our encoder can make — versions 1–40 × levels L/M/Q/H × masks 0–7, 1280 in all —
/// read back by our own JavaScript decoder (`Sources/RavaoServer/Resources/static/qr-decode.js`,
/// issue 17) under node, and compared with the payload character for character. The symbols are
/// written as PGM files (3–4 px per module, 4-module quiet zone) and one node process per version
/// decodes its 32 files through `Tests/decoder/decode-files.mjs`.
///
/// Serialized: the node runs are CPU-bound and the machine is shared.
@Suite("Our JavaScript decoder reads every symbol of our encoder", .serialized)
struct JSDecoderTests {
    @Test("All levels and masks of one version", arguments: 1...40)
    func everyLevelAndMask(version: Int) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("qr-js-decoder-v\(version)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var expected: [String: (text: String, label: String)] = [:]
        var files: [String] = []
        for level in ErrorCorrectionLevel.allCases {
            for mask in 0..<8 {
                let text = JSDecoder.payload(version: version, level: level, mask: mask)
                let qr = try QRCode(bytes: Array(text.utf8), level: level, minimumVersion: version, mask: mask)
                let label = "v\(version)-\(level) mask \(mask)"
                #expect(qr.version == version && qr.mask == mask, "\(label): encoder chose v\(qr.version) mask \(qr.mask)")
                let path = folder.appendingPathComponent("\(level)-\(mask).pgm").path
                try JSDecoder.pgm(qr, scale: version <= 20 ? 4 : 3).write(to: URL(fileURLWithPath: path))
                expected[path] = (text, label)
                files.append(path)
            }
        }

        let results = try JSDecoder.decode(files: files, folder: folder)
        #expect(results.count == files.count, "node answered for \(results.count) of \(files.count) files")
        for path in files {
            let want = expected[path]!
            let got = results[path] ?? nil
            #expect(got == want.text, "\(want.label): decoded \(got.map { "\($0.prefix(40))…" } ?? "nothing")")
        }
    }

    @Test("Payloads are sized as intended: a good part of each symbol, Vietnamese included")
    func payloadSizes() {
        for version in [1, 10, 40] {
            for level in ErrorCorrectionLevel.allCases {
                let capacity = Tables.byteCapacity(version: version, level: level)
                let text = JSDecoder.payload(version: version, level: level, mask: 7)
                #expect(text.utf8.count <= capacity)
                #expect(text.utf8.count * 10 >= capacity * 8, "v\(version)-\(level): \(text.utf8.count) of \(capacity) bytes")
                #expect(text.unicodeScalars.contains { $0.value > 0x7F })
            }
        }
    }
}

/// Drives `node Tests/decoder/decode-files.mjs`. A machine without node fails loudly instead of
/// skipping, like the zbarimg tests.
enum JSDecoder {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("Tests/decoder/decode-files.mjs").path

    static let phrases = [
        "Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng; ",
        "https://example.vn/c/Xk3aB9fQ2mZ ",
        "Nguyễn Thị Minh Khai, Quận 1, TP Hồ Chí Minh; ",
        "Phở bò tái nạm 0123456789 ",
    ]

    /// Text filling 50–92% of the symbol's byte capacity (more for higher masks), mostly
    /// Vietnamese, cut on a character boundary so that it stays valid UTF-8.
    static func payload(version: Int, level: ErrorCorrectionLevel, mask: Int) -> String {
        let capacity = Tables.byteCapacity(version: version, level: level)
        let target = max(3, capacity * (50 + 6 * mask) / 100)
        var text = "Việt"
        var i = version + mask
        while text.utf8.count < target {
            text += phrases[i % phrases.count]
            i += 1
        }
        while text.utf8.count > target { text.removeLast() }
        return text
    }

    /// Binary PGM of the symbol, dark modules 0 and light 255, with a 4-module quiet zone.
    static func pgm(_ qr: QRCode, scale: Int) -> Data {
        let quiet = 4
        let side = (qr.size + 2 * quiet) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<qr.size {
            for x in 0..<qr.size where qr[x, y] {
                for dy in 0..<scale {
                    let row = ((y + quiet) * scale + dy) * side
                    for dx in 0..<scale { pixels[row + (x + quiet) * scale + dx] = 0 }
                }
            }
        }
        return Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)
    }

    static func nodeExecutable() throws -> String {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
            .split(separator: ":").map { "\($0)/node" }
        guard let node = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "node not found on PATH: the JavaScript decoder tests need Node 20 (Debian package nodejs)")
        }
        return node
    }

    /// Decodes the files in one node process; file → text (nil when nothing was read).
    static func decode(files: [String], folder: URL) throws -> [String: String?] {
        let node = try nodeExecutable()
        guard FileManager.default.fileExists(atPath: script) else {
            throw Failure(description: "\(script) is missing")
        }
        let list = folder.appendingPathComponent("list.txt")
        try Data(files.joined(separator: "\n").utf8).write(to: list)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = [script, "--list", list.path]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "node exited with \(process.terminationStatus): \(String(decoding: errorOutput, as: UTF8.self))")
        }

        struct Line: Decodable {
            let file: String
            let text: String?
            let error: String?
        }
        var results: [String: String?] = [:]
        for line in output.split(separator: UInt8(ascii: "\n")) {
            let decoded = try JSONDecoder().decode(Line.self, from: Data(line))
            if let error = decoded.error { throw Failure(description: "\(decoded.file): \(error)") }
            results[decoded.file] = decoded.text
        }
        return results
    }
}
