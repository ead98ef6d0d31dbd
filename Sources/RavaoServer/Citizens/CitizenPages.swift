import Foundation
import Hummingbird
import QRCode
import RavaoCore
import RavaoStore

/// The citizen's pages (H1–H8): home with the personal QR and status, profile, health declaration,
/// vaccinations and tests, check-in history, dependents and their printable QR cards.
///
/// Every page under `/me/dependents/{id}/…` is the same page as under `/me/…`, for a dependent, and
/// only for that dependent's guardian.
struct CitizenPages {
    let services: AppServices
    var citizens: CitizenService { CitizenService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("me") { request, context in try await home(request, context) }
        router.get("me/dependents") { request, context in try await dependents(request, context) }
        router.post("me/dependents") { request, context in try await addDependent(request, context) }
        router.get("me/dependents/new") { request, context in try await profileForm(request, context, subject: nil, isNew: true) }
        router.post("me/handovers/:id/accept") { request, context in try await acceptHandover(request, context) }
        router.post("me/exposures/dismiss") { request, context in try await acknowledgeExposures(request, context) }
        router.post("me/exposures/:id/review") { request, context in try await requestReview(request, context) }
        router.get("me/dependents/:id") { request, context in try await dependentHome(request, context) }
        router.post("me/dependents/:id/handover") { request, context in try await handover(request, context) }
        for prefix in ["me", "me/dependents/:id"] {
            router.get("\(prefix)/profile") { request, context in try await profileForm(request, context, subject: try await subject(request, context), isNew: false) }
            router.post("\(prefix)/profile") { request, context in try await saveProfile(request, context) }
            router.post("\(prefix)/cards/claim") { request, context in try await claimCard(request, context) }
            router.get("\(prefix)/declare") { request, context in try await declareForm(request, context) }
            router.post("\(prefix)/declare") { request, context in try await declare(request, context) }
            router.get("\(prefix)/health") { request, context in try await healthPage(request, context) }
            router.post("\(prefix)/vaccinations") { request, context in try await addDose(request, context) }
            router.post("\(prefix)/tests") { request, context in try await addTest(request, context) }
            router.post("\(prefix)/vaccinations/:recordId/delete") { request, context in try await deleteRecord(.dose, request, context) }
            router.post("\(prefix)/tests/:recordId/delete") { request, context in try await deleteRecord(.test, request, context) }
            router.get("\(prefix)/checkins") { request, context in try await history(request, context) }
            router.get("\(prefix)/card") { request, context in try await card(request, context) }
            router.post("\(prefix)/token/reissue") { request, context in try await reissue(request, context) }
        }
    }

    func layout(_ context: AppRequestContext, _ title: String, bodyClass: String = "") -> Layout {
        Layout(title: title, context: context, keys: services.keys, bodyClass: bodyClass)
    }

    func account(_ request: Request, _ context: AppRequestContext) throws -> Account {
        guard let identity = context.identity else { throw RedirectToSignIn(next: request.uri.path) }
        return identity.account
    }

    /// The person a page is about: the citizen, or the dependent named in the path.
    func subject(_ request: Request, _ context: AppRequestContext) async throws -> PeopleStore.Profile {
        let account = try account(request, context)
        let id: UUID?
        if let text = context.parameters.get("id") {
            guard let parsed = UUID(uuidString: text) else { throw AppError.notFound }
            id = parsed
        } else { id = nil }
        return try await citizens.subject(id, account: account)
    }

    func base(_ profile: PeopleStore.Profile) -> String {
        profile.guardianId == nil ? "/me" : "/me/dependents/\(profile.id.uuidString)"
    }

    // MARK: Home

    func home(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let profile = try await citizens.subject(nil, account: account)
        let handovers = try await services.store.people.handovers(to: account.phone)
        return try await personHome(profile, request, context, extra: handovers.isEmpty ? nil : handoverOffers(handovers, context))
    }

    func dependentHome(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await personHome(try await subject(request, context), request, context, extra: nil)
    }

    func personHome(_ profile: PeopleStore.Profile, _ request: Request, _ context: AppRequestContext, extra: HTML?) async throws -> Response {
        let t = CitizenStrings(context.language)
        let page = layout(context, profile.fullName.isEmpty ? t.myQR : profile.fullName, bodyClass: "citizen")
        let status = await HealthStatusService(services: services).status(of: profile.id)
        let exposures = try await HealthStatusService(services: services).exposures(of: profile.id)
        let token = citizens.token(for: profile)
        let qr = try QRCode(text: token, level: .medium)
        let b = base(profile)
        let isSelf = profile.guardianId == nil
        let exposureBox: HTML? = exposures.isEmpty ? nil : """
            <section class="exposure" id="exposure" role="alert">
              <h2>\(t.exposureTitle)</h2>
              <ul>\(exposures.map { e -> HTML in
                  let when = [e.from, e.to].compactMap { $0 }.map { LocalTime.format($0) }.joined(separator: " – ")
                  let review: HTML? = !isSelf ? nil : e.reviewRequestedAt != nil ? "<p class=\"hint\">\(t.reviewRequested)</p>" : """
                      <details><summary>\(t.askReview)</summary>
                        <form method="post" action="/me/exposures/\(e.id.uuidString)/review">\(page.csrfField())
                          <label for="note-\(e.id.uuidString)">\(t.reviewNote)</label>
                          <textarea id="note-\(e.id.uuidString)" name="note" maxlength="1000" rows="3"></textarea>
                          <button class="secondary">\(t.sendReview)</button></form></details>
                      """
                  return "<li>\(e.placeName ?? t.placeUnknown)\(when.isEmpty ? "" : " · \(when)")\(review)</li>"
              })</ul>
              <p>\(t.exposureAdvice)</p>
              <p class="hint">\(t.exposureStays)</p>
              \(isSelf && exposures.contains { $0.acknowledgedAt == nil } ? "<form method=\"post\" action=\"/me/exposures/dismiss\">\(page.csrfField())<button class=\"secondary\">\(t.seen)</button></form>" as HTML : nil)
            </section>
            """
        // The QR comes first, framed in the colour of the status as PC-Covid did, so it is on screen
        // at the gate even when alerts and notices follow (issue 17).
        let tone = Self.tone(status)
        return page.render("""
        <div class="page-head me-head"><h1 id="person-name">\(profile.fullName.isEmpty ? t.noName : profile.fullName)</h1>
          \(isSelf ? nil : "<span class=\"tag\">\(t.dependent)</span>" as HTML)</div>
        <figure class="personal-qr tone-\(tone)" id="personal-qr" data-token="\(token)" data-tone="\(tone)">
          <div class="qr-frame">\(HTML(unsafeRaw: qr.svg(standalone: false)))</div>
          <figcaption><strong class="qr-tone" id="qr-tone">\(t.toneName(tone))</strong><span>\(t.showAtGate)</span></figcaption></figure>
        \(statusCard(status, context.language))
        \(exposureBox)
        \(isSelf ? placeScanner(t) : nil)
        \(extra)
        <p class="actions">
          <a class="button" id="declare-link" href="\(b)/declare">\(t.declare)</a>
          <a class="button secondary" href="\(b)/profile">\(t.profile)</a>
          <a class="button secondary" href="\(b)/health">\(t.vaccinationsAndTests)</a>
          <a class="button secondary" href="\(b)/checkins">\(t.history)</a>
          <a class="button secondary" id="card-link" href="\(b)/card">\(t.printCard)</a>
          \(isSelf ? "<a class=\"button secondary\" id=\"dependents-link\" href=\"/me/dependents\">\(t.dependents)</a>" as HTML : nil)
        </p>
        <form method="post" action="\(b)/token/reissue" data-confirm="\(t.reissueConfirm)" class="inline">\(page.csrfField())
          <button class="link" id="reissue">\(t.reissue)</button></form>
        \(isSelf ? "<script src=\"/static/scan-rules.js\" defer></script><script src=\"/static/camera.js\" defer></script><script src=\"/static/citizen.js\" defer></script>" as HTML : nil)
        """).response(headers: [.cacheControl: "private, no-cache"])
    }

    /// The colour of the QR's frame: the most serious fact wins, as at the station — an alert (F0, F1,
    /// F2, epidemic zone, tracing) red, an abnormal declaration red, no declaration amber, normal green.
    static func tone(_ status: HealthStatus?) -> String {
        guard let status else { return "unknown" }
        if !status.alerts.isEmpty { return "alert" }
        switch status.level {
        case .abnormal: return "abnormal"
        case .normal: return "normal"
        case .unknown: return "unknown"
        }
    }

    /// "Scan a place's QR" (C1 without the phone's camera app): the same decoder as the station reads a
    /// poster of this server and goes to its check-in page; citizen.js drives it.
    func placeScanner(_ t: CitizenStrings) -> HTML {
        """
        <section class="place-scan" id="place-scan" data-base="\(services.baseURL)" data-not-place="\(t.notPlaceQR)"
                 data-camera-failed="\(t.cameraFailed)" data-stop="\(t.stopScanning)" data-start="\(t.scanPlace)">
          <button type="button" class="button big" id="scan-place" hidden>\(t.scanPlace)</button>
          <p class="muted" id="scan-place-hint" hidden>\(t.scanPlaceHint)</p>
          <p class="place-scan-note" id="place-scan-note" role="status" hidden></p>
          <video id="place-video" class="place-video" muted playsinline hidden></video>
        </section>
        """
    }

    func statusCard(_ status: HealthStatus?, _ language: Language) -> HTML {
        let t = CitizenStrings(language)
        guard let status else { return "<section class=\"status unknown\" id=\"status\"><p>\(t.statusUnavailable)</p></section>" }
        let tone = Self.tone(status)
        return """
        <section class="status \(tone)" id="status" data-level="\(status.level.rawValue)">
          <p class="status-line">\(status.summary(vietnamese: language == .vi))</p>
          \(status.declaredAt.map { "<p class=\"muted\">\(t.declaredAt) \(LocalTime.format($0))</p>" as HTML })
        </section>
        """
    }

    func handoverOffers(_ offers: [PeopleStore.Profile], _ context: AppRequestContext) -> HTML {
        let t = CitizenStrings(context.language)
        let page = layout(context, "")
        return """
        <section class="notice" id="handovers"><h2>\(t.handoverOffers)</h2>
        \(offers.map { p -> HTML in
            "<form method=\"post\" action=\"/me/handovers/\(p.id.uuidString)/accept\" class=\"inline\">\(page.csrfField())<span>\(p.fullName) (\(p.birthDate ?? ""))</span> <button>\(t.accept)</button></form>"
        })
        </section>
        """
    }

    func acceptHandover(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        guard let id = context.parameters.get("id", as: UUID.self),
              try await services.store.people.acceptHandover(id, account: account, now: services.time.seconds()) else { throw AppError.notFound }
        services.healthCache.personChanged(id)
        return .seeOther("/me")
    }

    func acknowledgeExposures(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        let me = try await citizens.me(account)
        try await services.store.health.acknowledgeExposures(me, now: services.time.seconds())
        return .seeOther("/me")
    }

    func requestReview(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let me = try await citizens.me(account)
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        let note = String((form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000))
        guard try await services.store.health.requestReview(of: id, person: me, note: note, now: services.time.seconds()) else { throw AppError.notFound }
        return .seeOther("/me")
    }

    func reissue(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let profile = try await subject(request, context)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        _ = try await services.store.people.reissueToken(profile.id, now: services.time.seconds())
        return .seeOther(base(profile))
    }

    // MARK: Profile

    func profileForm(_ request: Request, _ context: AppRequestContext, subject: PeopleStore.Profile?, isNew: Bool,
                     draft: CitizenService.ProfileFields? = nil, errors: [FieldError] = [], claimError: String? = nil,
                     status: HTTPResponse.Status = .ok) async throws -> Response {
        _ = try account(request, context)
        let t = CitizenStrings(context.language)
        let s = Strings(context.language)
        let page = layout(context, isNew ? t.addDependent : t.profile)
        let d = draft ?? CitizenService.ProfileFields(name: subject?.fullName, birthDate: subject?.birthDate, gender: subject?.gender, cccd: subject?.cccd,
                                                      bhyt: subject?.bhyt, wardCode: subject?.wardCode, address: subject?.address)
        func error(_ field: String) -> HTML? {
            errors.first { $0.field == field }.map { "<span class=\"field-error\" role=\"alert\">\($0.message(context.language))</span>" }
        }
        let picker = try await unitPicker(selected: d.wardCode, context, required: false)
        let action = isNew ? "/me/dependents" : "\(base(subject!))/profile"
        let summary: HTML? = errors.isEmpty ? nil : "<p class=\"error\" role=\"alert\">\(errors.map { $0.message(context.language) }.joined(separator: "; "))</p>"
        // A typed number that a card-first record holds is only a claim until the card's QR proves it.
        func unproven(_ proven: Bool?) -> HTML? {
            proven == false ? "<span class=\"tag\" id=\"unproven\">\(t.unproven)</span>" : nil
        }
        let claimed = request.query.get("claimed").flatMap { Int($0) }
        let claimNotice: HTML? = claimed.map { "<p class=\"notice\" role=\"status\" id=\"card-claimed\">\(t.cardClaimed($0))</p>" }
        let claimForm: HTML? = isNew ? nil : """
        <section id="card-claim">
          <h2>\(t.proveCard)</h2>
          <p class="muted">\(t.proveCardExplanation)</p>
          \(claimNotice)
          \(claimError.map { "<p class=\"error\" role=\"alert\" id=\"card-claim-error\">\($0)</p>" as HTML })
          <form method="post" action="\(base(subject!))/cards/claim" class="place-form" id="card-claim-form">
            \(page.csrfField())
            <label>\(t.cardQRText)<textarea name="payload" id="card-payload" rows="3" maxlength="2048" required autocomplete="off"></textarea></label>
            <button type="submit" id="prove-card">\(t.proveCardButton)</button>
          </form>
        </section>
        """
        let genders: HTML = HTML(unsafeRaw: CitizenService.genders.map { g in
            "<option value=\"\(g)\"\(d.gender == g ? " selected" : "")>\(HTMLEscaping.escape(t.gender(g)))</option>"
        }.joined())
        return page.render("""
        <h1>\(isNew ? t.addDependent : t.profile)</h1>
        \(summary)
        <form method="post" action="\(action)" class="place-form" id="profile-form">
          \(page.csrfField())
          <label>\(t.fullName)<input name="name" id="name" maxlength="100" required value="\(d.name ?? "")">\(error("name"))</label>
          <label>\(t.birthDate)<input type="date" name="birthDate" id="birthDate" required value="\(d.birthDate ?? "")">\(error("birthDate"))</label>
          <label>\(t.genderLabel)<select name="gender" id="gender" required><option value="">\(s.choose)</option>\(genders)</select>\(error("gender"))</label>
          <label>\(t.cccd) \(unproven(draft == nil ? subject?.cccdProven : nil))<input name="cccd" id="cccd" inputmode="numeric" maxlength="14" value="\(d.cccd ?? "")">\(error("cccd"))</label>
          <label>\(t.bhyt) \(unproven(draft == nil ? subject?.bhytProven : nil))<input name="bhyt" id="bhyt" maxlength="20" value="\(d.bhyt ?? "")">\(error("bhyt"))</label>
          \(picker)\(error("wardCode"))
          <label>\(s.address)<input name="address" id="address" maxlength="200" value="\(d.address ?? "")">\(error("address"))</label>
          <p class="muted">\(t.linkExplanation)</p>
          <button type="submit" id="save-profile">\(s.save)</button>
        </form>
        \(claimForm)
        """).response(status: status)
    }

    /// The card-proof form: the card's own QR text, compared field by field with the card's earlier scans.
    func claimCard(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let profile = try await subject(request, context)
        let signedIn = try account(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let moved: Int
        do {
            let result = try await citizens.claimCard(.init(payload: form["payload"]), for: profile.id, by: signedIn)
            if case .moved(let n) = result.outcome { moved = n } else { moved = 0 }
        } catch let error as AppError where ([.unprocessableContent, .conflict, .tooManyRequests] as [HTTPResponse.Status]).contains(error.status) {
            var response = try await profileForm(request, context, subject: profile, isNew: false, claimError: error.message(context.language), status: error.status)
            if let retry = error.retryAfter { response.headers[.retryAfter] = String(retry) }
            return response
        }
        return .seeOther("\(base(profile))/profile?claimed=\(moved)")
    }

    func fields(_ form: WebForm) -> CitizenService.ProfileFields {
        .init(name: form["name"], birthDate: form["birthDate"], gender: form["gender"], cccd: form["cccd"], bhyt: form["bhyt"],
              wardCode: form["wardCode"], address: form["address"])
    }

    func saveProfile(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let profile = try await subject(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let draft = fields(form)
        do {
            try await citizens.save(try await citizens.validate(draft), for: profile.id)
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .conflict {
            let errors = error.fields.isEmpty ? [FieldError("name", en: error.message(.en), vi: error.message(.vi))] : error.fields
            return try await profileForm(request, context, subject: profile, isNew: false, draft: draft, errors: errors.map { f in
                error.code == "validation_failed" ? f : FieldError(f.field, en: error.message(.en), vi: error.message(.vi))
            }, status: error.status)
        }
        return .seeOther(base(profile))
    }

    // MARK: Dependents

    func dependents(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let me = try await citizens.me(account)
        let t = CitizenStrings(context.language)
        let page = layout(context, t.dependents)
        let list = try await services.store.people.dependents(of: me)
        let rows: [HTML] = list.map { p in
            let id = p.id.uuidString
            let pending: HTML? = p.handoverPhone.flatMap(PhoneNumber.init).map { "<span class=\"muted\">\(t.handoverPending) \($0.national)</span>" }
            return """
            <li><a href="/me/dependents/\(id)">\(p.fullName)</a> <span class="muted">\(p.birthDate.map(HealthStatus.displayDate) ?? "")</span>
              <a href="/me/dependents/\(id)/card">\(t.printCard)</a> \(pending)
              <form method="post" action="/me/dependents/\(id)/handover" class="inline">\(page.csrfField())
                <label>\(t.handoverTo) <input name="phone" inputmode="tel" maxlength="15" placeholder="0912345678"></label> <button class="secondary">\(t.handover)</button></form>
            </li>
            """
        }
        return page.render("""
        <div class="page-head"><h1>\(t.dependents)</h1><div class="actions"><a class="button" id="add-dependent" href="/me/dependents/new">\(t.addDependent)</a></div></div>
        <p>\(t.dependentsIntro)</p>
        \(rows.isEmpty ? "<p class=\"muted\">\(t.noDependents)</p>" as HTML : "<ul class=\"list\" id=\"dependents\">\(rows)</ul>")
        """).response()
    }

    func addDependent(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let me = try await citizens.me(account)
        let draft = fields(form)
        do {
            guard try await services.store.people.dependents(of: me).count < MeAPI.maximumDependents else {
                throw AppError(.unprocessableContent, "too_many_dependents", en: "At most \(MeAPI.maximumDependents) dependents per account.",
                               vi: "Mỗi tài khoản khai báo hộ tối đa \(MeAPI.maximumDependents) người.")
            }
            let id = try await citizens.addDependent(try await citizens.validate(draft), guardian: me)
            return .seeOther("/me/dependents/\(id.uuidString)")
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .conflict {
            let errors = error.fields.isEmpty ? [FieldError("name", en: error.message(.en), vi: error.message(.vi))] : error.fields
            return try await profileForm(request, context, subject: nil, isNew: true, draft: draft, errors: errors, status: error.status)
        }
    }

    func handover(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let profile = try await subject(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        guard profile.guardianId != nil else { throw AppError.notFound }
        var phone: PhoneNumber?
        if let text = form["phone"] {
            guard let parsed = PhoneNumber(text), parsed != context.identity?.account.phone else {
                throw AppError(.unprocessableContent, "invalid_phone", en: "Enter the dependent's own Vietnamese mobile number.",
                               vi: "Nhập số điện thoại di động của chính người đó.")
            }
            phone = parsed
        }
        try await services.store.people.setHandover(profile.id, to: phone)
        return .seeOther("/me/dependents")
    }

    // MARK: Declaration

    /// `echo` is a refused submission: its answers come back checked and filled in.
    func declareForm(_ request: Request, _ context: AppRequestContext, errors: [FieldError] = [], status: HTTPResponse.Status = .ok,
                     echo: WebForm? = nil) async throws -> Response {
        let profile = try await subject(request, context)
        let t = CitizenStrings(context.language)
        let page = layout(context, t.declare)
        let ticked = Set(echo?.all("symptom") ?? [])
        let symptoms: [HTML] = Symptom.allCases.map {
            "<label class=\"check\"><input type=\"checkbox\" name=\"symptom\" value=\"\($0.rawValue)\" id=\"symptom-\($0.rawValue)\"\(HTML.attribute("checked", ticked.contains($0.rawValue)))> \(HealthStatus.reasonName($0.rawValue, vietnamese: context.language == .vi))</label>"
        }
        let summary: HTML? = errors.isEmpty ? nil : "<p class=\"error\" role=\"alert\">\(errors.map { $0.message(context.language) }.joined(separator: "; "))</p>"
        return page.render("""
        <h1>\(t.declare) — \(profile.fullName)</h1>
        \(summary)
        <form method="post" action="\(base(profile))/declare" class="place-form" id="declare-form">
          \(page.csrfField())
          <fieldset><legend>\(t.symptomsQuestion)</legend>\(symptoms)</fieldset>
          <fieldset><legend>\(t.contactQuestion)</legend>
            <label class="check"><input type="radio" name="contact" value="no" id="contact-no" required\(HTML.attribute("checked", echo?["contact"] == "no"))> \(t.no)</label>
            <label class="check"><input type="radio" name="contact" value="yes" id="contact-yes"\(HTML.attribute("checked", echo?["contact"] == "yes"))> \(t.yes)</label>
          </fieldset>
          <fieldset><legend>\(t.visitedQuestion)</legend>
            \(try await unitPicker(selected: echo?["wardCode"], context, required: false))
            \(try await UnitPicker(services: services).render(selected: nil, language: context.language, required: false,
                                                            options: .init(name: "moreWard", idPrefix: "more-", multiple: true, legend: t.moreWards)))
          </fieldset>
          <p class="muted">\(t.declarationHonesty)</p>
          <button type="submit" id="send-declaration">\(t.send)</button>
        </form>
        """).response(status: status)
    }

    func declare(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let profile = try await subject(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let symptoms = form.all("symptom")
        var wards = form["wardCode"].map { [$0] } ?? []
        wards += form.all("moreWard")
        // Older clients typed the codes.
        wards += (form["moreWards"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
        let contact: Bool? = form["contact"].map { $0 == "yes" }
        do {
            _ = try await citizens.declare(.init(symptoms: symptoms, contact: contact, visitedWards: wards), for: profile.id, by: account)
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await declareForm(request, context, errors: error.fields, status: error.status, echo: form)
        }
        return .seeOther(base(profile))
    }

    // MARK: Vaccinations and tests

    /// `echo` is the refused form (which one and what was typed), so an error keeps the answers.
    func healthPage(_ request: Request, _ context: AppRequestContext, errors: [FieldError] = [], status: HTTPResponse.Status = .ok,
                    echo: (form: String, values: WebForm)? = nil) async throws -> Response {
        let profile = try await subject(request, context)
        let t = CitizenStrings(context.language)
        let page = layout(context, t.vaccinationsAndTests)
        let doses = try await services.store.health.doseRows(of: profile.id)
        let tests = try await services.store.health.testRows(of: profile.id)
        let b = base(profile)
        let summary: HTML? = errors.isEmpty ? nil : "<p class=\"error\" role=\"alert\">\(errors.map { $0.message(context.language) }.joined(separator: "; "))</p>"
        func verified(_ v: Bool) -> HTML { v ? "<span class=\"tag ok\">\(t.verified)</span>" : "<span class=\"tag\">\(t.selfDeclared)</span>" }
        func typed(_ form: String, _ key: String) -> String { echo?.form == form ? echo?.values[key] ?? "" : "" }
        func chosen(_ form: String, _ key: String, _ value: String) -> HTML { HTML.attribute("selected", echo?.form == form && echo?.values[key] == value) }
        // Only what the citizen declared can be deleted; a health officer's record shows who vouches for it instead.
        func remove(_ record: HealthStore.RecordRow, _ path: String, _ what: String) -> HTML {
            guard !record.verified else { return "" }
            return """
            <form method="post" action="\(b)/\(path)/\(record.id.uuidString)/delete" class="inline delete-record" data-confirm="\(t.deleteConfirm(what))">\(page.csrfField())\
            <button type="submit" class="secondary small" aria-label="\(t.delete): \(what)">\(t.delete)</button></form>
            """
        }
        return page.render("""
        <h1>\(t.vaccinationsAndTests) — \(profile.fullName)</h1>
        \(summary)
        <h2>\(t.vaccinations)</h2>
        <table id="doses"><thead><tr><th>\(t.date)</th><th>\(t.vaccine)</th><th>\(t.source)</th><th></th></tr></thead><tbody>
        \(doses.map { "<tr data-id=\"\($0.id.uuidString)\"><td>\(HealthStatus.displayDate($0.date))</td><td>\($0.what)</td><td>\(verified($0.verified))</td><td>\(remove($0, "vaccinations", "\($0.what) \(HealthStatus.displayDate($0.date))"))</td></tr>" as HTML })
        </tbody></table>
        <form method="post" action="\(b)/vaccinations" class="inline-form" id="dose-form">\(page.csrfField())
          <label>\(t.vaccine)<input name="vaccine" required maxlength="60" list="vaccines" value="\(typed("dose", "vaccine"))"></label>
          <datalist id="vaccines"><option value="AstraZeneca"><option value="Pfizer-BioNTech"><option value="Moderna"><option value="Sinopharm (Vero Cell)"><option value="Sputnik V"><option value="Abdala"></datalist>
          <label>\(t.date)<input type="date" name="date" required value="\(typed("dose", "date"))"></label> <button>\(t.add)</button></form>
        <h2>\(t.tests)</h2>
        <table id="tests"><thead><tr><th>\(t.date)</th><th>\(t.testKind)</th><th>\(t.result)</th><th>\(t.source)</th><th></th></tr></thead><tbody>
        \(tests.map { "<tr data-id=\"\($0.id.uuidString)\"><td>\(HealthStatus.displayDate($0.date))</td><td>\(t.kindName($0.what))</td><td>\(t.resultName($0.result ?? ""))</td><td>\(verified($0.verified))</td><td>\(remove($0, "tests", "\(t.kindName($0.what)) \(HealthStatus.displayDate($0.date))"))</td></tr>" as HTML })
        </tbody></table>
        <form method="post" action="\(b)/tests" class="inline-form" id="test-form">\(page.csrfField())
          <label>\(t.testKind)<select name="kind" required><option value="rapid">\(t.kindName("rapid"))</option><option value="pcr"\(chosen("test", "kind", "pcr"))>PCR</option></select></label>
          <label>\(t.result)<select name="result" required><option value="negative">\(t.resultName("negative"))</option><option value="positive"\(chosen("test", "result", "positive"))>\(t.resultName("positive"))</option></select></label>
          <label>\(t.date)<input type="date" name="date" required value="\(typed("test", "date"))"></label> <button>\(t.add)</button></form>
        <p class="muted">\(t.selfDeclaredNote)</p>
        """).response(status: status)
    }

    func addDose(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let profile = try await subject(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        do {
            try await citizens.addDose(.init(vaccine: form["vaccine"], date: form["date"]), for: profile.id, by: account)
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await healthPage(request, context, errors: error.fields, status: error.status, echo: ("dose", form))
        }
        return .seeOther("\(base(profile))/health")
    }

    func addTest(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let account = try account(request, context)
        let profile = try await subject(request, context)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        do {
            try await citizens.addTest(.init(kind: form["kind"], result: form["result"], date: form["date"]), for: profile.id, by: account)
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await healthPage(request, context, errors: error.fields, status: error.status, echo: ("test", form))
        }
        return .seeOther("\(base(profile))/health")
    }

    /// Deletes a self-declared dose or test of the citizen or one of their dependents (never an officer's).
    func deleteRecord(_ record: HealthStore.Record, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        _ = try account(request, context)
        let profile = try await subject(request, context)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        guard let id = context.parameters.get("recordId").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound }
        try await citizens.deleteSelfDeclared(record, id: id, for: profile.id)
        return .seeOther("\(base(profile))/health")
    }

    // MARK: History

    func history(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let profile = try await subject(request, context)
        let t = CitizenStrings(context.language)
        let page = layout(context, t.history)
        let cursor = try request.query.get("cursor").map(MeAPI.parseCursor)
        let limit = 50
        let items = try await services.store.people.history(of: profile.id, before: cursor, limit: limit + 1)
        let shown = items.prefix(limit)
        let next: HTML? = items.count > limit ? shown.last.map { item -> HTML in
            "<p><a class=\"button secondary\" href=\"?cursor=\(String(item.scannedAt)).\(item.checkInId.uuidString)\">\(t.older)</a></p>"
        } : nil
        let rows: [HTML] = shown.map {
            """
            <tr><td>\(LocalTime.format($0.scannedAt))</td><td>\($0.placeName)</td><td>\($0.placeAddress)</td>
            <td>\($0.direction == .in ? t.entry : t.exit)</td><td>\($0.scannedByStaff ? t.scannedByStaff : t.selfCheckIn)</td></tr>
            """
        }
        let views = try await services.store.people.dataViews(of: profile.id)
        let viewRows: [HTML] = views.map { v in
            "<tr><td>\(LocalTime.format(v.at))</td><td>\(v.viewerPhone.flatMap(PhoneNumber.init)?.masked ?? t.system)</td><td>\(v.placeName ?? "")</td><td>\(t.disclosureReason(v.reason))</td></tr>"
        }
        let viewsSection: HTML = """
        <h2 id="views-title">\(t.whoSaw)</h2>
        <p class="muted">\(t.whoSawIntro)</p>
        \(viewRows.isEmpty ? "<p class=\"muted\" id=\"no-views\">\(t.nobodySaw)</p>" as HTML : """
        <table id="views"><thead><tr><th>\(t.time)</th><th>\(t.viewer)</th><th>\(t.place)</th><th>\(t.reason)</th></tr></thead><tbody>\(viewRows)</tbody></table>
        """)
        """
        return page.render("""
        <h1>\(t.history) — \(profile.fullName)</h1>
        \(rows.isEmpty ? "<p class=\"muted\">\(t.noHistory)</p>" as HTML : """
        <table id="history"><thead><tr><th>\(t.time)</th><th>\(t.place)</th><th>\(Strings(context.language).address)</th><th>\(t.direction)</th><th>\(t.how)</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """)
        \(next)
        \(viewsSection)
        """).response()
    }

    // MARK: Printable card

    func card(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let profile = try await subject(request, context)
        let t = CitizenStrings(context.language)
        let page = layout(context, t.printCard, bodyClass: "card-page")
        let token = citizens.token(for: profile)
        let qr = try QRCode(text: token, level: .medium)
        let issued = profile.tokenIssuedAt ?? profile.createdAt
        return page.render("""
        <article class="qr-card" id="qr-card">
          <header><strong>Ravao</strong> · \(t.cardTitle)</header>
          <figure class="card-qr">\(HTML(unsafeRaw: qr.svg(standalone: false)))</figure>
          <p class="card-name" id="card-name">\(profile.fullName)</p>
          \(profile.birthDate.map { "<p>\(t.birthDate): \(HealthStatus.displayDate($0))</p>" as HTML })
          <p class="muted">\(t.issued) \(HealthStatus.displayDate(CitizenService.localDate(issued)))</p>
        </article>
        <p class="no-print actions"><button type="button" class="print-button" data-print>\(t.print)</button>
          <a class="button secondary" href="\(base(profile))">\(t.back)</a></p>
        """).response()
    }

    // MARK: Kit

    func unitPicker(selected ward: String?, _ context: AppRequestContext, required: Bool) async throws -> HTML {
        try await UnitPicker(services: services).render(selected: ward, language: context.language, required: required)
    }
}

extension HTML {
    func response(headers: HTTPFields) -> Response {
        var response = self.response()
        for field in headers { response.headers[field.name] = field.value }
        return response
    }
}

extension WebForm {
    /// Every value of a repeated field (checkboxes), trimmed, blanks dropped.
    func all(_ key: String) -> [String] {
        (values[key] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
