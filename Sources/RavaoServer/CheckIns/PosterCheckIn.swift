import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// The poster flow (C1): a phone camera opens `/c/{code}`. Signed in, one tap checks the citizen in;
/// otherwise they sign in by SMS or leave a name and phone number as a guest. Either way a receipt
/// follows, with the place, the time and a check-out button.
struct PosterCheckIn {
    let services: AppServices

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("c/:code", use: landing)
        router.post("c/:code/checkin", use: checkIn)
        router.post("c/:code/guest", use: guest)
        router.get("c/:code/r/:receipt", use: receipt)
        router.post("c/:code/checkout", use: checkOut)
    }

    static let maximumNameLength = 100

    /// The place behind a live code, or the error a person at the poster should read.
    func livePlace(code raw: String) async throws -> Place {
        let code = PlaceService.code(fromScanned: raw)
        guard PlaceCode.isWellFormed(code) else { throw Self.unknownCode }
        switch try await services.store.places.lookup(code: code) {
        case .live(let place): return place
        case .retired: throw AppError(.gone, "code_replaced", en: "This poster was replaced by a new one; scan the new poster at the entrance.",
                                      vi: "Mã QR này đã được thay bằng mã mới; vui lòng quét mã mới tại lối vào.")
        case .deleted: throw AppError(.gone, "place_closed", en: "This place no longer uses Ravao.", vi: "Địa điểm này không còn sử dụng Ravao.")
        case .unknown: throw Self.unknownCode
        }
    }

    static let unknownCode = AppError(.notFound, "unknown_code", en: "No active place has this code.", vi: "Không có địa điểm nào đang hoạt động với mã này.")

    // MARK: Pages

    @Sendable func landing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let s = PosterStrings(context.language)
        let code = context.parameters.get("code") ?? ""
        let layout = Layout(title: s.title, context: context, keys: services.keys)
        let place: Place
        do {
            place = try await livePlace(code: code)
        } catch let error as AppError {
            let id = error.code == "code_replaced" ? " id=\"retired\"" : ""
            return layout.render("<section class=\"card narrow\"><h1>\(s.title)</h1><p class=\"error\"\(HTML(unsafeRaw: id))>\(error.message(context.language))</p></section>")
                .response(status: error.status)
        }
        return try await renderLanding(place: place, code: code, context: context, guestName: nil, guestPhone: nil, error: nil)
    }

    func renderLanding(place: Place, code: String, context: AppRequestContext, guestName: String?, guestPhone: String?, error: String?,
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let s = PosterStrings(context.language)
        let layout = Layout(title: s.title, context: context, keys: services.keys)
        let names = try await PlaceService(services: services).unitNames(place)
        // Generated with the page, so a double tap or a resubmitted form records one check-in.
        let clientId = UUID().uuidString
        let errorHTML: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        let action: HTML
        if context.identity != nil {
            action = """
            <form method="post" action="/c/\(code)/checkin" class="stack">
              \(layout.csrfField())
              <input type="hidden" name="clientId" value="\(clientId)">
              <button type="submit" name="direction" value="in" class="big" id="checkin-in">\(s.checkIn)</button>
              <button type="submit" name="direction" value="out" class="secondary" id="checkin-out">\(s.checkOutOnly)</button>
            </form>
            """
        } else {
            action = """
            <p><a class="button big" id="signin-to-checkin" href="/signin?next=/c/\(code)">\(s.signInToCheckIn)</a></p>
            <details class="guest"\(HTML.attribute("open", error != nil))>
              <summary>\(s.guestSummary)</summary>
              <form method="post" action="/c/\(code)/guest" class="stack">
                \(layout.csrfField())
                <input type="hidden" name="clientId" value="\(clientId)">
                <label>\(s.fullName) <input name="name" id="guest-name" required maxlength="\(Self.maximumNameLength)" autocomplete="name" value="\(guestName ?? "")"></label>
                <label>\(s.phone) <input name="phone" id="guest-phone" required inputmode="tel" autocomplete="tel" value="\(guestPhone ?? "")"></label>
                <p class="muted">\(s.guestNote)</p>
                <button type="submit" id="guest-submit">\(s.checkIn)</button>
              </form>
            </details>
            """
        }
        return layout.render("""
        <section class="card narrow checkin">
          <p class="muted">\(s.title)</p>
          <h1 id="checkin-place">\(place.name)</h1>
          <p>\(place.address)\(place.address.isEmpty ? "" : ", ")\(names.ward), \(names.province)</p>
          \(errorHTML)
          \(action)
        </section>
        """).response(status: status)
    }

    @Sendable func checkIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let code = context.parameters.get("code") ?? ""
        guard let account = context.identity?.account else { return .seeOther("/signin?next=/c/\(code)") }
        let place = try await livePlace(code: code)
        let direction = CheckInDirection(rawValue: form["direction"] ?? "in") ?? .in
        let recorded = try await CheckInService(services: services).selfCheckIn(account: account, place: place, direction: direction,
                                                                               clientId: Self.clientId(form))
        return .seeOther("/c/\(code)/r/\(services.keys.receiptToken(recorded.id))")
    }

    @Sendable func guest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let code = context.parameters.get("code") ?? ""
        let place = try await livePlace(code: code)
        let s = PosterStrings(context.language)
        let name = (form["name"] ?? "").precomposedStringWithCanonicalMapping
        guard !name.isEmpty, name.count <= Self.maximumNameLength else {
            return try await renderLanding(place: place, code: code, context: context, guestName: form["name"], guestPhone: form["phone"],
                                           error: s.nameRequired, status: .unprocessableContent)
        }
        guard let phone = PhoneNumber(form["phone"] ?? "") else {
            return try await renderLanding(place: place, code: code, context: context, guestName: name, guestPhone: form["phone"],
                                           error: s.phoneInvalid, status: .unprocessableContent)
        }
        do {
            let recorded = try await CheckInService(services: services).guestCheckIn(name: name, phone: phone, place: place, direction: .in,
                                                                                    clientId: Self.clientId(form), ip: context.clientIP)
            return .seeOther("/c/\(code)/r/\(services.keys.receiptToken(recorded.id))")
        } catch let error as AppError where error.status == .tooManyRequests {
            return try await renderLanding(place: place, code: code, context: context, guestName: name, guestPhone: form["phone"],
                                           error: error.message(context.language), status: .tooManyRequests)
        }
    }

    @Sendable func receipt(_ request: Request, context: AppRequestContext) async throws -> Response {
        let s = PosterStrings(context.language)
        guard let id = services.keys.checkInId(fromReceipt: context.parameters.get("receipt") ?? ""),
              let checkIn = try await services.store.checkIns.checkIn(id: id),
              let place = try await services.store.places.place(id: checkIn.placeId) else { throw AppError.notFound }
        let layout = Layout(title: s.receiptTitle, context: context, keys: services.keys)
        let names = try await PlaceService(services: services).unitNames(place)
        let stayUntil = checkIn.scannedAt + Int64(place.defaultStayMinutes) * 60
        let isIn = checkIn.direction == .in
        let checkOut: HTML = isIn && place.deletedAt == nil ? """
            <form method="post" action="/c/\(place.code)/checkout" class="stack">
              \(layout.csrfField())
              <input type="hidden" name="receipt" value="\(services.keys.receiptToken(checkIn.id))">
              <input type="hidden" name="clientId" value="\(UUID().uuidString)">
              <button type="submit" class="secondary big" id="checkout">\(s.checkOut)</button>
            </form>
            """ : ""
        // Health status is the citizen's own business: shown only to the signed-in person the receipt is for.
        var status: HTML?
        if let account = context.identity?.account, try await CitizenService(services: services).me(account) == checkIn.personId {
            status = CitizenPages(services: services).statusCard(await HealthStatusService(services: services).status(of: checkIn.personId), context.language)
        }
        return layout.render("""
        <section class="card narrow receipt \(isIn ? "ok" : "out")" id="receipt">
          <p class="muted">\(isIn ? s.checkedIn : s.checkedOut)</p>
          <h1 id="receipt-place">\(place.name)</h1>
          <p>\(place.address)\(place.address.isEmpty ? "" : ", ")\(names.ward), \(names.province)</p>
          <p class="big-time" id="receipt-time"><time datetime="\(ISOTime.string(checkIn.scannedAt))">\(LocalTime.format(checkIn.scannedAt))</time></p>
          <p id="receipt-name">\(receiptName(checkIn))</p>
          \(isIn ? "<p class=\"muted\">\(s.stayUntil(LocalTime.format(stayUntil, withDate: false)))</p>" as HTML : "")
          \(status)
          \(checkOut)
        </section>
        """).response()
    }

    /// A guest's receipt names whom the guest typed, not the record their phone led to: anyone may type any
    /// phone at a poster, and that must not show them the phone owner's name (trust rule 5).
    func receiptName(_ checkIn: CheckInStore.Stored) -> String {
        if checkIn.kind == PayloadKind.guest.rawValue { return Masking.name(checkIn.payload ?? "") }
        return Masking.name(checkIn.fullName)
    }

    @Sendable func checkOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let code = context.parameters.get("code") ?? ""
        let place = try await livePlace(code: code)
        guard let id = services.keys.checkInId(fromReceipt: form["receipt"] ?? ""),
              let entry = try await services.store.checkIns.checkIn(id: id), entry.placeId == place.id else { throw AppError.notFound }
        let recorded = try await CheckInService(services: services).checkOut(after: entry, place: place, clientId: Self.clientId(form))
        return .seeOther("/c/\(place.code)/r/\(services.keys.receiptToken(recorded.id))")
    }

    static func clientId(_ form: WebForm) throws -> UUID {
        guard let text = form["clientId"], let id = UUID(uuidString: text) else {
            throw AppError.badRequest("invalid_client_id", en: "The form is incomplete; reload the page.", vi: "Biểu mẫu không đầy đủ, vui lòng tải lại trang.")
        }
        return id
    }
}

private struct PosterStrings {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var title: String { t("Khai báo ra vào", "Check in") }
    var checkIn: String { t("Khai báo vào", "Check in") }
    var checkOutOnly: String { t("Khai báo ra", "Check out") }
    var checkOut: String { t("Khai báo ra (rời khỏi)", "Check out (leaving)") }
    var signInToCheckIn: String { t("Đăng nhập bằng số điện thoại để khai báo", "Sign in with your phone to check in") }
    var guestSummary: String { t("Không muốn đăng nhập? Khai báo với tư cách khách", "Not signing in? Check in as a guest") }
    var guestNote: String { t("Số điện thoại chỉ dùng để liên hệ khi cần truy vết.", "Your phone number is used only to reach you for contact tracing.") }
    var fullName: String { t("Họ và tên", "Full name") }
    var phone: String { t("Số điện thoại", "Phone number") }
    var nameRequired: String { t("Vui lòng nhập họ và tên (tối đa 100 ký tự).", "Please enter your full name (at most 100 characters).") }
    var phoneInvalid: String { t("Số điện thoại không hợp lệ; nhập số di động Việt Nam, ví dụ 0912345678.", "That phone number is not valid; enter a Vietnamese mobile number, e.g. 0912345678.") }
    var receiptTitle: String { t("Biên nhận khai báo", "Check-in receipt") }
    var checkedIn: String { t("Đã khai báo vào", "Checked in") }
    var checkedOut: String { t("Đã khai báo ra", "Checked out") }
    func stayUntil(_ time: String) -> String {
        t("Nếu không khai báo ra, lượt ở được tính đến khoảng \(time).", "Without a check-out, your stay counts until about \(time).")
    }
}
