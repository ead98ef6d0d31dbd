import Foundation
import Hummingbird
import Testing

/// The place's QR codes decode, with a real decoder, to the check-in URL (L3).
@Suite("Place QR codes") struct QRDecodingTests {
    static let zbarimg = "/usr/bin/zbarimg"

    static func decode(_ data: Data, suffix: String) throws -> String {
        #expect(FileManager.default.fileExists(atPath: zbarimg), "zbarimg is missing: apt-get install zbar-tools")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ravao-qr-\(UUID().uuidString).\(suffix)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--raw", "-q", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: TestEngine.available)
    func thePNGDecodesToTheCheckinURL(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = try await app.createPlace(token: token)
            let id = try #require(place["id"] as? String)
            let png = try await app.client.execute(uri: "/api/v1/places/\(id)/qr.png", method: .get,
                                                   headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                return Data(buffer: response.body)
            }
            #expect(try Self.decode(png, suffix: "png") == place["checkinUrl"] as? String)
            let svg = try await app.request(.get, "/api/v1/places/\(id)/qr.svg", token: token)
            #expect(svg.status == .ok)
            #expect(svg.body.contains("<svg"))
        }
    }
}

import NIOCore
import NIOFoundationCompat
