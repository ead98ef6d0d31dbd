import Foundation
import Hummingbird

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
        if buffer.readableBytesView.firstRange(of: Array("\\u0000".utf8)) != nil {
            throw AppError.nulCharacter
        }
        return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
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
    static func string(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    /// Accepts `2026-11-23T06:01:02+07:00`, with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle().parse(text)) ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }
}
