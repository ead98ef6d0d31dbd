import Foundation
import Hummingbird
import Logging
import RavaoCore
import RavaoStore

/// Turns every error into a proper answer: JSON under `/api/`, a page elsewhere, in the asker's
/// language. Bad input never becomes a 500; an unexpected failure is logged with the request id and
/// shown without internals. A stage of `RequestMiddleware`.
enum ErrorAnswers {
    typealias Context = AppRequestContext

    static func response(for error: any Error, request: Request, context: Context) -> Response {
        if let redirect = error as? RedirectToSignIn {
            let next = redirect.next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_"))) ?? "/places"
            return Response.seeOther("/signin?next=\(next)")
        }
        let appError = Self.appError(from: error, context: context)
        if appError.status.code >= 500 {
            context.logger.error("request failed", metadata: ["error": "\(LoggedError.describe(error))", "path": "\(request.uri.path)"])
        }
        var response: Response
        if request.uri.path.hasPrefix("/api/") || request.uri.path == "/healthz" {
            response = Self.json(appError)
        } else {
            response = ErrorPage(error: appError, language: context.language, signedIn: context.identity != nil).response()
            response.status = appError.status
        }
        if let retryAfter = appError.retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
        return response
    }

    static func appError(from error: any Error, context: Context) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case is DecodingError:
            return AppError(.badRequest, "bad_json", en: "The request body is not valid JSON for this endpoint: \(Self.describe(error))",
                            vi: "Dữ liệu gửi lên không đúng định dạng.")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound
            case .contentTooLarge: return AppError(.contentTooLarge, "too_large", en: "The request is too large.", vi: "Dữ liệu gửi lên quá lớn.")
            case .methodNotAllowed: return AppError(.methodNotAllowed, "method_not_allowed", en: "Method not allowed.", vi: "Phương thức không được hỗ trợ.")
            default:
                return AppError(error.status, "http_\(error.status.code)", en: error.body ?? error.status.reasonPhrase, vi: error.body ?? error.status.reasonPhrase)
            }
        case let error as SMSError:
            return AppError(.badGateway, "sms_failed", en: "The SMS could not be sent (\(error.description)); try again shortly.",
                            vi: "Không gửi được tin nhắn SMS, vui lòng thử lại sau ít phút.")
        default:
            return AppError(.internalServerError, "internal", en: "Something went wrong on our side (request \(context.id)).",
                            vi: "Hệ thống gặp lỗi (mã yêu cầu \(context.id)). Vui lòng thử lại.")
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "" }
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "wrong type at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "malformed JSON" : "invalid value at '\(path)': \(c.debugDescription)"
        @unknown default: return ""
        }
    }

    static func json(_ error: AppError) -> Response {
        struct Body: Encodable {
            struct Inner: Encodable {
                let code: String
                let message: String
                /// The same message in Vietnamese, for pages that show the reason to staff.
                let messageVi: String
                let fields: [String: String]?
            }
            let error: Inner
        }
        let fields = error.fields.isEmpty ? nil : Dictionary(error.fields.map { ($0.field, $0.en) }, uniquingKeysWith: { a, _ in a })
        let encoder = JSONEncoder()
        // Sorted keys: identical errors must be byte-identical (no hint of which branch answered).
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Body(error: .init(code: error.code, message: error.messageEN, messageVi: error.message(.vi), fields: fields)))) ?? Data()
        return Response(status: error.status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
