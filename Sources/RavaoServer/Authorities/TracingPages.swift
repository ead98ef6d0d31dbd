import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// The tracing page a team can act on (A4, issue 18): the case named with its identifiers, contacts
/// grouped by person with their visits nested, a review that lists who will be marked and who will
/// be texted before anything happens, marking the case F0, and the same grouping in the CSV.
///
/// Everything shown here is covered by the one `unmasked_view` entry `AuthorityService.trace` writes
/// for the case and every contact (tracing needs the health function, which entitles the officer to
/// names, phones, card numbers and addresses of people seen inside the jurisdiction).
extension AuthorityPages {
    /// One contact person with every visit that made them one.
    struct ContactGroup: Sendable {
        let personId: UUID
        let level: Int
        let details: TracingStore.PersonDetails?
        let wardName: String?
        let visits: [AuthoritiesAPI.ContactBody]

        var name: String { details?.fullName.isEmpty == false ? details!.fullName : (visits.first?.name ?? "") }
        var phone: String? { details?.phone.map { PhoneNumber($0)?.national ?? $0 } ?? visits.first?.phone }
        var address: String? {
            let parts = [details?.address, wardName].compactMap { $0 }.filter { !$0.isEmpty }
            return parts.isEmpty ? nil : parts.joined(separator: ", ")
        }
    }

    struct CaseView: Sendable {
        let personId: UUID
        let details: TracingStore.PersonDetails?
        let wardName: String?
        let groups: [ContactGroup]
    }

    /// Groups the trace's contacts by person (the lowest level wins), F1 before F2, then by name.
    func caseView(_ answer: AuthoritiesAPI.TraceAnswer) async throws -> CaseView {
        let caseId = UUID(uuidString: answer.personId)!
        var visits: [UUID: [AuthoritiesAPI.ContactBody]] = [:]
        for contact in answer.contacts { visits[UUID(uuidString: contact.personId)!, default: []].append(contact) }
        let details = try await services.store.tracing().details(Array(visits.keys) + [caseId])
        let scheme = try await services.store.units.activeScheme()
        var wardNames: [String: String] = [:]
        for code in Set(details.values.compactMap(\.wardCode)) {
            wardNames[code] = try await services.store.units.path(code, scheme: scheme).map(\.name).joined(separator: ", ")
        }
        let groups = visits.map { person, list in
            ContactGroup(personId: person, level: list.map(\.level).min() ?? 1, details: details[person],
                         wardName: details[person]?.wardCode.flatMap { wardNames[$0] }, visits: list.sorted { $0.from < $1.from })
        }.sorted { ($0.level, TextFolding.fold($0.name), $0.personId.uuidString) < ($1.level, TextFolding.fold($1.name), $1.personId.uuidString) }
        return CaseView(personId: caseId, details: details[caseId], wardName: details[caseId]?.wardCode.flatMap { wardNames[$0] }, groups: groups)
    }

    /// The case's identifiers in one line: who this trace is about.
    func caseHeader(_ view: CaseView, form: TraceForm, context: AppRequestContext) -> HTML {
        let t = TracingStrings(context.language)
        let d = view.details
        var facts: [HTML] = []
        if let phone = d?.phone { facts.append("<li>\(t.phone): <span id=\"case-phone\">\(PhoneNumber(phone)?.national ?? phone)</span></li>") }
        if let cccd = d?.cccd { facts.append("<li>CCCD: <span id=\"case-cccd\">\(cccd)</span></li>") }
        if let bhyt = d?.bhyt { facts.append("<li>BHYT: \(bhyt)</li>") }
        if let year = d?.birthYear { facts.append("<li>\(t.birthYear): \(year)</li>") }
        let address = [d?.address, view.wardName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        if !address.isEmpty { facts.append("<li>\(t.address): \(address)</li>") }
        facts.append("<li class=\"muted\">ID: \(String(view.personId.uuidString.prefix(8)))</li>")
        let csrf = Layout(title: "", context: context, keys: services.keys).csrfField()
        let name = d?.fullName.isEmpty == false ? d!.fullName : t.unnamed
        return """
        <section class="card" id="case">
          <h2>\(t.theCase): <span id="case-name">\(name)</span></h2>
          <ul class="facts" id="case-facts">\(facts)</ul>
          <form method="post" action="/authorities/tracing/case?\(form.query)" class="inline" id="case-f0-form" data-confirm="\(t.confirmF0(name))">\(csrf)
            <input type="hidden" name="mark" value="F0">
            <button type="submit" class="danger" id="mark-f0">\(t.markF0)</button>
          </form>
        </section>
        """
    }

    func tracingResult(_ answer: AuthoritiesAPI.TraceAnswer, view: CaseView, form: TraceForm, context: AppRequestContext, s: AuthorityStrings) -> HTML {
        let t = TracingStrings(context.language)
        let stays: [HTML] = answer.stays.map {
            "<li><time>\(Self.display($0.from))</time> → <time>\(Self.display($0.to))</time> <strong>\($0.placeName)</strong></li>"
        }
        let people: [HTML] = view.groups.map { group in
            let visits: [HTML] = group.visits.map {
                "<li class=\"visit\"><strong>\($0.placeName)</strong> · \(Self.display($0.from)) → \(Self.display($0.to)) <span class=\"muted\">(\(s.sourceStay): \(Self.display($0.sourceFrom)) → \(Self.display($0.sourceTo)))</span></li>"
            }
            let reach: HTML = group.phone.map { "<span class=\"contact-phone\">\($0)</span>" as HTML }
                ?? group.details?.cccd.map { "<span class=\"contact-cccd\">CCCD \($0)</span>" as HTML } ?? "<span class=\"muted\">\(t.noPhone)</span>"
            return """
            <li class="contact-person level-\(group.level)" data-person="\(group.personId.uuidString)" data-visits="\(group.visits.count)">
              <p><b class="level">F\(group.level)</b> <strong class="contact-name">\(group.name.isEmpty ? t.unnamed : group.name)</strong> · \(reach)
                \(group.address.map { " · <span class=\"contact-address\">\($0)</span>" as HTML })</p>
              <ul class="visits">\(visits)</ul>
            </li>
            """
        }
        let markForm: HTML = view.groups.isEmpty ? "" : """
            <form method="post" action="/authorities/tracing/mark?\(form.query)" class="card" id="mark-form">\(Layout(title: "", context: context, keys: services.keys).csrfField())
              <label><input type="checkbox" name="notify" value="1" checked> \(s.notify)</label>
              <p class="muted">\(t.reviewFirst)</p>
              <button type="submit" id="mark-review">\(t.review)</button>
            </form>
            """
        return """
        <section id="trace-result">
        \(caseHeader(view, form: form, context: context))
        <h2>\(s.timeline) (\(answer.stays.count))</h2>
        \(answer.stays.isEmpty ? "<p>\(s.noStays)</p>" as HTML : "<ol class=\"timeline\" id=\"timeline\">\(stays)</ol>")
        <h2>\(s.contacts) (<span id="contact-people">\(view.groups.count)</span>)</h2>
        \(view.groups.isEmpty ? "<p>\(t.noContacts)</p>" as HTML : "<ol class=\"contacts\" id=\"contacts\">\(people)</ol>")
        <p class="actions">
          <a class="button secondary" id="trace-export" href="/authorities/tracing.csv?\(form.query)" download>\(s.exportCSV)</a>
        </p>
        \(markForm)
        </section>
        """
    }

    // MARK: Review, then mark

    /// What marking would do: each person with the mark they get and whether a text can reach them,
    /// and the places whose owners would be texted.
    struct Plan: Sendable {
        struct Person: Sendable { let group: ContactGroup; let sms: SMSReach }
        enum SMSReach: Sendable { case yes, noPhone, capped, off }
        let people: [Person]
        let owners: [(place: String, code: String, phones: Int)]
        /// Names the exact set of people and marks, so a confirmation applies to what was reviewed.
        let digest: String
    }

    func plan(_ view: CaseView, notify: Bool) async throws -> Plan {
        let since = LocalTime.startOfDay(containing: services.time.seconds())
        var people: [Plan.Person] = []
        for group in view.groups {
            var reach = Plan.SMSReach.off
            if notify {
                if let phone = group.details?.phone ?? group.visits.first?.phone.flatMap({ PhoneNumber($0)?.e164 }) {
                    reach = try await services.store.officers.sentCount(to: phone, since: since) < AuthorityService.dailyCap ? .yes : .capped
                } else {
                    reach = .noPhone
                }
            }
            people.append(.init(group: group, sms: reach))
        }
        var owners: [(place: String, code: String, phones: Int)] = []
        if notify {
            var seen = Set<String>()
            for visit in view.groups.flatMap(\.visits) where seen.insert(visit.placeId).inserted {
                guard let id = UUID(uuidString: visit.placeId) else { continue }
                let phones = try await services.store.officers.placeContacts(place: id).count
                let code = try await services.store.places.place(id: id)?.code ?? ""
                owners.append((visit.placeName, code, phones))
            }
        }
        let digest = ServerKeys.tokenHash(view.groups.map { "\($0.personId.uuidString):\($0.level)" }.sorted().joined(separator: ",") + (notify ? "+sms" : ""))
        return Plan(people: people, owners: owners, digest: digest)
    }

    func reviewPage(_ plan: Plan, view: CaseView, form: TraceForm, notify: Bool, changed: Bool, context: AppRequestContext, officer: OfficerAccess.Officer) -> Response {
        let s = AuthorityStrings(context.language)
        let t = TracingStrings(context.language)
        let rows: [HTML] = plan.people.map { p in
            let sms: HTML = switch p.sms {
            case .yes: "<span class=\"sms-yes\">\(t.smsYes)</span>"
            case .noPhone: "<span class=\"muted\">\(t.noPhone)</span>"
            case .capped: "<span class=\"muted\">\(t.smsCapped)</span>"
            case .off: "<span class=\"muted\">—</span>"
            }
            return """
            <tr class="review-row" data-person="\(p.group.personId.uuidString)" data-mark="F\(p.group.level)" data-sms="\(p.sms == .yes ? "1" : "0")">
              <td>F\(p.group.level)</td><td>\(p.group.name.isEmpty ? t.unnamed : p.group.name)</td><td>\(p.group.phone ?? p.group.details?.cccd.map { "CCCD \($0)" } ?? "")</td><td>\(sms)</td></tr>
            """
        }
        let owners: [HTML] = plan.owners.map { "<li class=\"owner-row\">\($0.place) (\($0.code)): \(t.ownerTexts($0.phones))</li>" }
        let texts = plan.people.filter { $0.sms == .yes }.count
        let csrf = Layout(title: "", context: context, keys: services.keys).csrfField()
        let caseName = view.details?.fullName ?? ""
        return page(context, officer, s.tracing, """
        <h1>\(t.reviewTitle)</h1>
        \(changed ? "<p class=\"error\" role=\"alert\" id=\"review-changed\">\(t.changed)</p>" as HTML : "")
        <p id="review-summary">\(t.summary(caseName, marked: plan.people.count, texts: texts, owners: plan.owners.reduce(0) { $0 + $1.phones }))</p>
        <table class="data" id="review"><thead><tr><th>\(t.markColumn)</th><th>\(s.name)</th><th>\(t.reach)</th><th>SMS</th></tr></thead><tbody>\(rows)</tbody></table>
        \(owners.isEmpty ? "" : "<h2>\(t.ownersTitle)</h2><ul id=\"review-owners\">\(owners)</ul>" as HTML)
        <form method="post" action="/authorities/tracing/mark?\(form.query)" id="confirm-form">\(csrf)
          <input type="hidden" name="confirm" value="\(plan.digest)">
          \(notify ? "<input type=\"hidden\" name=\"notify\" value=\"1\">" as HTML : "")
          <button type="submit" id="mark-confirm">\(t.confirm(plan.people.count))</button>
          <a class="button secondary" href="/authorities/tracing?\(form.query)" id="review-cancel">\(t.cancel)</a>
        </form>
        """)
    }

    @Sendable func markContacts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .health)
        let body = try await WebForm.parse(request, context: context, keys: services.keys)
        let form = TraceForm(request.query, now: services.time.seconds())
        guard let key = form.key else { throw AuthorityService.personNotFound }
        let (from, to, buffer, depth) = try AuthorityService.validate(from: form.from, to: form.to, bufferMinutes: form.buffer, depth: form.depth)
        let person = try await authority.findPerson(key)
        let notify = body["notify"] == "1"
        // The trace is run again here rather than trusting ids posted back by the browser.
        let traceRequest = AuthorityService.TraceRequest(person: person, from: from, to: to, bufferMinutes: buffer, depth: depth)
        let (answer, result) = try await api.runTraceKeepingResult(traceRequest, officer: officer)
        let view = try await caseView(answer)
        let plan = try await plan(view, notify: notify)
        // Nothing is marked or sent until the officer confirms the list they reviewed; if the trace
        // changed meanwhile (new scans), they review the new list.
        guard let confirmed = body["confirm"], confirmed == plan.digest else {
            return reviewPage(plan, view: view, form: form, notify: notify, changed: body["confirm"] != nil, context: context, officer: officer)
        }
        // The contacts marked are the ones just shown and confirmed: one trace, one disclosure logged.
        let (marked, texts) = try await authority.markContacts(result.contacts, by: officer, notify: notify)
        let s = AuthorityStrings(context.language)
        return page(context, officer, s.tracing, """
        <h1>\(s.tracing)</h1>
        <p class="notice" id="mark-done">\(s.marked(marked, texts))</p>
        <p><a href="/authorities/tracing?\(form.query)">\(s.back)</a></p>
        """)
    }

    /// `POST /authorities/tracing/case`: marks the traced person F0 from the tracing page.
    @Sendable func markCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .health)
        let body = try await WebForm.parse(request, context: context, keys: services.keys)
        let form = TraceForm(request.query, now: services.time.seconds())
        guard let key = form.key else { throw AuthorityService.personNotFound }
        let person = try await access.person(try await authority.findPerson(key), for: officer)
        guard body["mark"]?.uppercased() == CaseMark.f0.rawValue else {
            throw AppError(.unprocessableContent, "invalid_mark", en: "Only F0 can be set from this page.", vi: "Trang này chỉ xác định F0.")
        }
        try await authority.mark(person, .f0, source: "officer", by: officer)
        return .seeOther("/authorities/tracing?\(form.query)&caseMarked=F0")
    }

    // MARK: CSV, grouped like the page

    @Sendable func tracingCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .health)
        let answer = try await runTrace(TraceForm(request.query, now: services.time.seconds()), officer: officer)
        let view = try await caseView(answer)
        var rows = [["case", view.details?.fullName ?? "", view.details?.phone.map { PhoneNumber($0)?.national ?? $0 } ?? "", view.details?.cccd ?? "", answer.personId],
                    [],
                    ["level", "personId", "name", "phone", "cccd", "birthYear", "address", "visits", "firstFrom", "lastTo", "places"]]
        rows += view.groups.map { g in
            ["F\(g.level)", g.personId.uuidString, g.name, g.phone ?? "", g.details?.cccd ?? "", g.details?.birthYear.map(String.init) ?? "", g.address ?? "",
             "\(g.visits.count)", g.visits.map(\.from).min().map(Self.display) ?? "", g.visits.map(\.to).max().map(Self.display) ?? "",
             g.visits.map { "\($0.placeName) (\(Self.display($0.from)) - \(Self.display($0.to)))" }.joined(separator: "; ")]
        }
        return csv(CSVExport.document(rows), name: "ravao-tracing-\(answer.personId.prefix(8)).csv")
    }
}

struct TracingStrings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var theCase: String { t("Ca bệnh", "Case") }
    var phone: String { t("Số điện thoại", "Phone") }
    var birthYear: String { t("Năm sinh", "Born") }
    var address: String { t("Địa chỉ", "Address") }
    var unnamed: String { t("(chưa có tên)", "(no name)") }
    var noPhone: String { t("không có số điện thoại", "no phone") }
    var noContacts: String { t("Không có người tiếp xúc trong địa bàn của bạn.", "No contacts inside your jurisdiction.") }
    var markF0: String { t("Xác định ca bệnh là F0", "Mark this case F0") }
    func confirmF0(_ name: String) -> String { t("Xác định \(name) là F0?", "Mark \(name) as F0?") }
    var caseMarked: String { t("Đã xác định ca bệnh là F0.", "The case is marked F0.") }
    var review: String { t("Xem trước danh sách đánh dấu F1/F2", "Review who will be marked F1/F2") }
    var reviewFirst: String { t("Chưa có ai bị đánh dấu hay nhận tin nhắn cho đến khi bạn xác nhận ở bước sau.",
                                "Nobody is marked or texted until you confirm on the next step.") }
    var reviewTitle: String { t("Xác nhận đánh dấu và gửi thông báo", "Confirm marks and notices") }
    var markColumn: String { t("Sẽ đánh dấu", "Mark") }
    var reach: String { t("Liên lạc", "Reach") }
    var smsYes: String { t("sẽ nhận SMS", "will get an SMS") }
    var smsCapped: String { t("đã đủ 3 tin hôm nay, không gửi thêm", "3 texts today already, none sent") }
    var ownersTitle: String { t("Chủ địa điểm sẽ nhận SMS", "Place owners who will get an SMS") }
    func ownerTexts(_ n: Int) -> String { t("\(n) số điện thoại chủ/quản lý", "\(n) owner/manager phones") }
    func summary(_ name: String, marked: Int, texts: Int, owners: Int) -> String {
        t("Truy vết ca \(name): \(marked) người sẽ được đánh dấu, \(texts) người và \(owners) chủ địa điểm sẽ nhận SMS. Chưa có gì được gửi.",
          "Trace of \(name): \(marked) people will be marked, \(texts) people and \(owners) place owners will get an SMS. Nothing has been sent yet.")
    }
    func confirm(_ n: Int) -> String { t("Xác nhận đánh dấu \(n) người", "Confirm: mark \(n) people") }
    var cancel: String { t("Hủy", "Cancel") }
    var changed: String { t("Danh sách đã thay đổi từ lúc bạn xem (có lượt quét mới). Hãy kiểm tra lại trước khi xác nhận.",
                            "The list changed since you reviewed it (new scans). Check it again before confirming.") }
}
