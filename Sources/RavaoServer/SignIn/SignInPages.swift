import Hummingbird
import RavaoCore

/// `/signin`: phone → SMS code → session cookie. `/signout` ends the session.
struct SignInPages {
    let services: AppServices

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("signin", use: phoneForm)
        router.post("signin", use: sendCode)
        router.post("signin/verify", use: verify)
        router.post("signout", use: signOut)
    }

    func layout(_ context: AppRequestContext, _ title: String) -> Layout { Layout(title: title, context: context, keys: services.keys) }

    @Sendable func phoneForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let identity = context.identity {
            return .seeOther(try await Self.destination(request.query.get("next"), account: identity.account, services: services))
        }
        return renderPhoneForm(context, next: request.query.get("next"), phone: nil, error: nil)
    }

    func renderPhoneForm(_ context: AppRequestContext, next: String?, phone: String?, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let s = Strings(context.language)
        let page = layout(context, s.signIn)
        let errorHTML: HTML? = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" }
        return page.render("""
        <section class="card narrow">
        <h1>\(s.signIn)</h1>
        <p>\(s.signInIntro)</p>
        \(errorHTML)
        <form method="post" action="/signin">
          \(page.csrfField())
          <input type="hidden" name="next" value="\(Self.safeNext(next) ?? "")">
          <label>\(s.phone)<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required value="\(phone ?? "")" placeholder="0912345678"></label>
          <button type="submit" id="send-code">\(s.sendCode)</button>
        </form>
        </section>
        """).response(status: status)
    }

    func renderCodeForm(_ context: AppRequestContext, phone: PhoneNumber, next: String?, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let s = Strings(context.language)
        let page = layout(context, s.signIn)
        let errorHTML: HTML? = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" }
        return page.render("""
        <section class="card narrow">
        <h1>\(s.signIn)</h1>
        <p>\(s.codeSent) <strong>\(phone.national)</strong>.</p>
        \(errorHTML)
        <form method="post" action="/signin/verify">
          \(page.csrfField())
          <input type="hidden" name="phone" value="\(phone.national)">
          <input type="hidden" name="next" value="\(Self.safeNext(next) ?? "")">
          <label>\(s.code)<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus></label>
          <button type="submit" id="verify">\(s.confirm)</button>
        </form>
        <form method="post" action="/signin" class="secondary">
          \(page.csrfField())
          <input type="hidden" name="phone" value="\(phone.national)">
          <input type="hidden" name="next" value="\(Self.safeNext(next) ?? "")">
          <button type="submit" class="link">\(s.resend)</button>
        </form>
        </section>
        """).response(status: status)
    }

    @Sendable func sendCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        guard let phone = PhoneNumber(form["phone"] ?? "") else {
            return renderPhoneForm(context, next: form["next"], phone: form["phone"],
                                   error: AuthAPI.phoneMessage(context.language),
                                   status: .unprocessableContent)
        }
        switch try await SignInService(services: services).requestCode(phone: phone, ip: context.clientIP, language: context.language) {
        case .sent:
            return renderCodeForm(context, phone: phone, next: form["next"], error: nil)
        case .resendTooSoon(let wait):
            return renderCodeForm(context, phone: phone, next: form["next"], error: AuthAPI.resendTooSoon(wait).message(context.language), status: .tooManyRequests)
        case .limited(let wait):
            return renderPhoneForm(context, next: form["next"], phone: phone.national, error: AuthAPI.limited(wait).message(context.language), status: .tooManyRequests)
        }
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        guard let phone = PhoneNumber(form["phone"] ?? "") else { return .seeOther("/signin") }
        do {
            let (account, token) = try await SignInService(services: services).verify(
                phone: phone, code: form["code"] ?? "", ip: context.clientIP, userAgent: request.headers[.userAgent] ?? "",
                kind: .web, language: context.language)
            var response = Response.seeOther(try await Self.destination(form["next"], account: account, services: services))
            response.setCookie(Cookie(name: RequestIdentity.sessionCookie, value: token,
                                      maxAge: Int(services.configuration.otp.webSessionSeconds), path: "/",
                                      secure: services.configuration.secureCookies, httpOnly: true, sameSite: .lax))
            return response
        } catch let error as SignInService.VerifyError {
            let appError = AuthAPI.appError(error)
            return renderCodeForm(context, phone: phone, next: form["next"], error: appError.message(context.language), status: appError.status)
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        if let identity = context.identity { try await SignInService(services: services).signOut(tokenHash: identity.tokenHash) }
        var response = Response.seeOther("/")
        response.setCookie(Cookie(name: RequestIdentity.sessionCookie, value: "", maxAge: 0, path: "/",
                                  secure: services.configuration.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    /// Only local paths: an open redirect after sign-in would make our domain a phishing relay.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 300 else { return nil }
        return next
    }

    /// The page asked for, else where the account's work is (its roles decide, see `Navigation`).
    static func destination(_ next: String?, account: Account, services: AppServices) async throws -> String {
        if let next = safeNext(next) { return next }
        let roles = try await services.store.accounts.roleSummary(account: account.id, phone: account.phone, now: services.time.seconds())
        return Navigation(roles: roles, language: .vi).landing
    }
}

extension AuthAPI {
    /// The invalid-phone message without throwing, for forms.
    static func phoneMessage(_ language: Language) -> String {
        language == .en ? "Not a Vietnamese phone number (e.g. 0912345678)." : "Số điện thoại không hợp lệ (ví dụ 0912345678)."
    }
}
