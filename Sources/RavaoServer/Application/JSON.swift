import Foundation
import Hummingbird
import RavaoCore

/// A JSON answer with an explicit status (201 for creations), encoded the same way everywhere.
struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let value: Value

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// Decodes a JSON body, answering 400 with a clear message for anything else.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw AppError.badRequest("empty_body", en: "A JSON body is required.", vi: "Thiếu dữ liệu gửi lên.")
        }
        // PostgreSQL cannot store NUL in text: a "\u0000" would otherwise reach the database and fail there.
        if Self.containsEscapedNUL(buffer) {
            throw AppError.nulCharacter
        }
        if let flat = T.self as? any FlatJSONDecodable.Type,
           let value = buffer.withUnsafeReadableBytes({ FlatJSON.members($0) }).flatMap({ flat.init(flat: $0) }) as? T {
            return value
        }
        return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// Whether the bytes hold `\u0000`. A plain loop over the bytes: the generic `firstRange(of:)`
    /// cost more than a percent of a scan's CPU (issue 16).
    static func containsEscapedNUL(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 6 else { return false }
            for i in 0...(bytes.count - 6) where bytes[i] == UInt8(ascii: "\\") {
                if bytes[i + 1] == UInt8(ascii: "u"), bytes[i + 2] == UInt8(ascii: "0"), bytes[i + 3] == UInt8(ascii: "0"),
                   bytes[i + 4] == UInt8(ascii: "0"), bytes[i + 5] == UInt8(ascii: "0") { return true }
            }
            return false
        }
    }
}

extension AppRequestContext {
    /// A UUID path parameter; a malformed one is simply not found.
    func uuidParameter(_ name: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(uuidString: text) else { throw AppError.notFound }
        return id
    }
}

/// Times in the API are ISO 8601 with offset (UTC).
enum ISOTime {
    /// `2026-11-23T06:01:02Z`, what `Date.formatted(.iso8601)` writes, computed by hand: the format
    /// style cost more than the rest of a scan's answer.
    static func string(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = LocalDate.civil(fromDays: days)
        let year = Int(y), month = Int(m), day = Int(d)
        guard (0...9999).contains(year) else { return Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601) }
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) { bytes[i] = UInt8(48 + v % 10); v /= 10 }
        }
        put(year, 0, 4); bytes[4] = 45; put(month, 5, 2); bytes[7] = 45; put(day, 8, 2); bytes[10] = 84
        put(secondOfDay / 3600, 11, 2); bytes[13] = 58; put(secondOfDay / 60 % 60, 14, 2); bytes[16] = 58
        put(secondOfDay % 60, 17, 2); bytes[19] = 90
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Accepts `2026-11-23T06:01:02+07:00`, with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle().parse(text)) ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }
}
