import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// Sends text messages (P1). Pluggable so development never needs a gateway.
public protocol SMSSender: Sendable {
    func send(to phone: String, text: String) async throws
}

public struct SMSError: Error, CustomStringConvertible {
    public let description: String
}

/// Development sender: logs each message and appends `{"to","text"}` as one JSON line to a file.
public actor OutboxSMSSender: SMSSender {
    private let path: String
    private let logger: Logger

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    public func send(to phone: String, text: String) async throws {
        struct Line: Encodable { let to: String; let text: String; let at: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(Line(to: phone, text: text, at: ISO8601DateFormatter().string(from: Date())))
        data.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw SMSError(description: "cannot create the SMS outbox file \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw SMSError(description: "cannot open the SMS outbox file \(path)")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        // Codes in the text: only at debug level, so a log shipped elsewhere carries none.
        logger.notice("SMS (development outbox)", metadata: ["to": "\(phone)", "outbox": "\(path)"])
        logger.debug("SMS text", metadata: ["to": "\(phone)", "text": "\(text)"])
    }
}

/// Production sender: POSTs `{"to","text"}` as JSON to a gateway URL; any non-2xx answer is an error.
public struct HTTPSMSSender: SMSSender {
    let url: URL
    let logger: Logger

    public init(url: URL, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    public func send(to phone: String, text: String) async throws {
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(["to": phone, "text": text])
        let (_, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            logger.error("SMS gateway refused a message", metadata: ["status": "\(status)"])
            throw SMSError(description: "the SMS gateway answered \(status)")
        }
    }
}
