import Hummingbird
import RavaoCore

/// An error a user caused or may see: a status, a stable machine code, and a message in each language.
/// The error middleware renders it as `{"error":{"code","message"}}` for the API and as a page for the web.
public struct AppError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let messageEN: String
    public let messageVI: String
    /// Per-field messages for forms and validation failures.
    public var fields: [FieldError] = []
    public var retryAfter: Int64?

    public init(_ status: HTTPResponse.Status, _ code: String, en: String, vi: String, fields: [FieldError] = [], retryAfter: Int64? = nil) {
        self.status = status
        self.code = code
        self.messageEN = en
        self.messageVI = vi
        self.fields = fields
        self.retryAfter = retryAfter
    }

    public func message(_ language: Language) -> String { language == .en ? messageEN : messageVI }

    public static let notSignedIn = AppError(.unauthorized, "not_signed_in", en: "Sign in first.", vi: "Vui lòng đăng nhập.")
    public static let forbidden = AppError(.forbidden, "forbidden", en: "You do not have permission to do this.", vi: "Bạn không có quyền thực hiện thao tác này.")
    public static let notFound = AppError(.notFound, "not_found", en: "Not found.", vi: "Không tìm thấy.")
    /// A NUL character anywhere in what was sent: no field takes one, and PostgreSQL cannot store it.
    public static let nulCharacter = AppError(.badRequest, "nul_character", en: "The request contains a NUL character (\\u0000), which no field accepts.",
                                              vi: "Dữ liệu gửi lên chứa ký tự NUL (\\u0000), không trường nào chấp nhận.")
    public static let badCSRF = AppError(.forbidden, "csrf_failed", en: "The form has expired; reload the page and try again.", vi: "Biểu mẫu đã hết hạn, vui lòng tải lại trang và thử lại.")

    public static func badRequest(_ code: String, en: String, vi: String) -> AppError { AppError(.badRequest, code, en: en, vi: vi) }
}

/// A message about one input field, in both languages.
public struct FieldError: Sendable, Equatable {
    public let field: String
    public let en: String
    public let vi: String
    public init(_ field: String, en: String, vi: String) { self.field = field; self.en = en; self.vi = vi }
    public func message(_ language: Language) -> String { language == .en ? en : vi }
}

extension Array where Element == FieldError {
    /// Throws a 422 naming every bad field at once, so a user fixes a form in one go.
    func throwIfAny() throws {
        guard let first else { return }
        throw AppError(.unprocessableContent, "validation_failed", en: "Some fields are not valid: \(first.en)",
                       vi: "Một số trường chưa hợp lệ: \(first.vi)", fields: self)
    }
}
