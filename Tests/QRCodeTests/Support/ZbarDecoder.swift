import Foundation
import Testing
@testable import QRCode

/// Round-trips symbols through zbarimg (Debian package `zbar-tools`), an independent decoder.
/// Every decoding test goes through `requireZbarimg()`, so a machine without it fails loudly
/// instead of skipping.
enum Zbar {
    static let executable = "/usr/bin/zbarimg"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func requireZbarimg() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) not found: the QR decoding tests need the Debian package zbar-tools (apt-get install -y zbar-tools)")
        }
    }

    /// Decodes a symbol rendered as PNG; returns the payload bytes exactly as stored.
    static func decode(_ qr: QRCode, scale: Int = 4) throws -> [UInt8] {
        try decode(fileContents: Data(qr.png(scale: scale)), fileExtension: "png")
    }

    /// Writes the image to a temporary file and runs zbarimg on it. `-Sbinary` makes zbarimg
    /// print the byte-mode payload verbatim (no charset guessing, no trailing newline).
    static func decode(fileContents: Data, fileExtension: String) throws -> [UInt8] {
        try requireZbarimg()
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("qrcode-test-\(UUID().uuidString).\(fileExtension)")
        try fileContents.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", "-Sbinary", url.path]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorOutput, as: UTF8.self)
            throw Failure(description: "zbarimg exited with \(process.terminationStatus) (4 = no symbol found) on \(fileExtension.uppercased()) input: \(message)")
        }
        return [UInt8](output)
    }
}
