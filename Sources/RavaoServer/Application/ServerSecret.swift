import Foundation
import RavaoStore

/// Where the server secret lives: a file (or `RAVAO_SECRET`), never the database it protects, so a
/// copy of the database (a backup, a replica, a dump handed to an analyst) cannot forge sessions'
/// CSRF tokens, receipts or personal QR codes (trust rule 8).
public enum ServerSecret {
    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// 32 bytes as 64 hex digits (surrounding whitespace ignored).
    public static func parse(_ text: String) -> [UInt8]? {
        let hex = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// Reads the secret file, creating it (mode 0600) on first start. A secret that an earlier version
    /// kept in the `settings` table moves to the file, so sessions and printed QR codes stay valid,
    /// and is then deleted from the database.
    public static func load(path: String, settings: SettingsStore) async throws -> [UInt8] {
        if let data = FileManager.default.contents(atPath: path) {
            // Bytes that are not text are as wrong as the wrong text; read as text they would look like a
            // missing file, and creating it would then find it there, forever.
            guard let secret = String(data: data, encoding: .utf8).flatMap(parse) else {
                throw Failure(description: "\(path) does not hold a server secret (64 hex digits); restore it from your backup or delete it to make a new one")
            }
            try await settings.forgetLegacyServerSecret()
            return secret
        }
        let hex = try await settings.legacyServerSecret() ?? (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            // Another instance on this host made it first.
            if errno == EEXIST { return try await load(path: path, settings: settings) }
            throw Failure(description: "cannot create the server secret file \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array((hex + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, let secret = parse(hex) else {
            unlink(path)
            throw Failure(description: "cannot write the server secret file \(path)")
        }
        try await settings.forgetLegacyServerSecret()
        return secret
    }
}
