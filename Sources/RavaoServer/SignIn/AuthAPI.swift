import Hummingbird
import RavaoCore

/// `POST /api/v1/auth/otp`, `/verify`, `/signout`: phone sign-in for API clients (bearer tokens).
struct AuthAPI {
    let services: AppServices

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("otp", use: requestCode)
        group.post("verify", use: verify)
        group.post("signout", use: signOut)
    }

    struct CodeRequest: Decodable { let phone: String }
    struct VerifyRequest: Decodable { let phone: String; let code: String }
    struct Accepted: Encodable, Sendable { let status: String; let expiresInSeconds: Int64 }
    struct TokenAnswer: Encodable, Sendable { let token: String; let accountId: String; let phone: String }

    @Sendable func requestCode(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<Accepted> {
        let body = try await request.decodeJSON(CodeRequest.self, context: context)
        let phone = try Self.phone(body.phone)
        switch try await SignInService(services: services).requestCode(phone: phone, ip: context.clientIP, language: context.language) {
        case .sent:
            return JSONResponse(Accepted(status: "sent", expiresInSeconds: services.configuration.otp.codeLifetimeSeconds), status: .accepted)
        case .resendTooSoon(let wait):
            throw Self.resendTooSoon(wait)
        case .limited(let wait):
            throw Self.limited(wait)
        }
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<TokenAnswer> {
        let body = try await request.decodeJSON(VerifyRequest.self, context: context)
        let phone = try Self.phone(body.phone)
        do {
            let (account, token) = try await SignInService(services: services).verify(
                phone: phone, code: body.code, ip: context.clientIP, userAgent: request.headers[.userAgent] ?? "",
                kind: .api, language: context.language)
            return JSONResponse(TokenAnswer(token: token, accountId: account.id.uuidString, phone: account.phone.e164))
        } catch let error as SignInService.VerifyError {
            throw Self.appError(error)
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw AppError.notSignedIn }
        try await SignInService(services: services).signOut(tokenHash: identity.tokenHash)
        return Response(status: .noContent)
    }

    static func phone(_ text: String) throws -> PhoneNumber {
        guard let phone = PhoneNumber(text) else {
            throw AppError(.unprocessableContent, "invalid_phone", en: "'\(text.prefix(30))' is not a Vietnamese phone number (e.g. 0912345678).",
                           vi: phoneMessage(.vi), fields: [FieldError("phone", en: "not a Vietnamese phone number", vi: "số điện thoại không hợp lệ")])
        }
        return phone
    }

    static func resendTooSoon(_ wait: Int64) -> AppError {
        AppError(.tooManyRequests, "otp_resend_wait", en: "A code was just sent; you can ask for a new one in \(wait) seconds.",
                 vi: "Mã vừa được gửi; bạn có thể yêu cầu mã mới sau \(wait) giây.", retryAfter: wait)
    }

    static func limited(_ wait: Int64) -> AppError {
        AppError(.tooManyRequests, "otp_rate_limited", en: "Too many codes were requested; try again later.",
                 vi: "Bạn đã yêu cầu quá nhiều mã; vui lòng thử lại sau.", retryAfter: wait)
    }

    static func appError(_ error: SignInService.VerifyError) -> AppError {
        switch error {
        case .invalidCode:
            return AppError(.unauthorized, "invalid_code", en: "The code is wrong or has expired. Ask for a new code if needed.",
                            vi: "Mã xác thực không đúng hoặc đã hết hạn. Hãy yêu cầu mã mới nếu cần.")
        case .tooManyFailures:
            return AppError(.tooManyRequests, "too_many_failures", en: "Too many wrong codes from this address; try again later.",
                            vi: "Nhập sai quá nhiều lần; vui lòng thử lại sau.", retryAfter: 3600)
        }
    }
}
