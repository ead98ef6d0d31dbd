import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/api/v1/me…`: a citizen's profile, personal QR, declarations, vaccinations and tests, history and
/// dependents (H1–H8). Every path under `me/dependents/{id}` does for a dependent what the same path
/// under `me` does for the citizen, and only for the dependent's guardian.
struct MeAPI {
    let services: AppServices
    var citizens: CitizenService { CitizenService(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("me") { request, context in try await profile(nil, context) }
        group.put("me") { request, context in try await update(nil, request, context) }
        group.get("me/dependents") { _, context in try await dependents(context) }
        group.post("me/dependents") { request, context in try await addDependent(request, context) }
        group.get("me/handovers") { _, context in try await handovers(context) }
        group.post("me/handovers/:id/accept") { _, context in try await acceptHandover(try context.parameters.require("id", as: UUID.self), context) }
        group.post("me/exposures/dismiss") { _, context in try await acknowledgeExposures(context) }
        group.post("me/exposures/:id/review") { request, context in try await requestReview(request, context) }
        group.get("me/dependents/:id") { _, context in try await profile(try dependentId(context), context) }
        group.put("me/dependents/:id") { request, context in try await update(try dependentId(context), request, context) }
        group.post("me/dependents/:id/handover") { request, context in try await handover(try dependentId(context), request, context) }
        // The same actions for oneself and for a dependent.
        for prefix in ["me", "me/dependents/:id"] {
            let who: @Sendable (AppRequestContext) throws -> UUID? = { prefix == "me" ? nil : try dependentId($0) }
            group.get("\(prefix)/token") { _, context in try await token(try who(context), context) }
            group.post("\(prefix)/token/reissue") { _, context in try await reissue(try who(context), context) }
            group.post("\(prefix)/cards/claim") { request, context in try await claimCard(try who(context), request, context) }
            group.post("\(prefix)/declarations") { request, context in try await declare(try who(context), request, context) }
            group.post("\(prefix)/vaccinations") { request, context in try await addDose(try who(context), request, context) }
            group.post("\(prefix)/tests") { request, context in try await addTest(try who(context), request, context) }
            group.get("\(prefix)/checkins") { request, context in try await history(try who(context), request, context) }
            group.get("\(prefix)/views") { _, context in try await views(try who(context), context) }
        }
    }

    func dependentId(_ context: AppRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    func subject(_ id: UUID?, _ context: AppRequestContext) async throws -> (Account, PeopleStore.Profile) {
        let account = try context.requireAccount()
        return (account, try await citizens.subject(id, account: account))
    }

    // MARK: Profile

    struct ProfileAnswer: Encodable, Sendable {
        let id: String
        let name: String
        let birthDate: String?
        let gender: String?
        let cccd: String?
        let bhyt: String?
        /// False while the number is only typed on the profile and a card-first record holds it.
        let cccdVerified: Bool?
        let bhytVerified: Bool?
        let wardCode: String?
        let address: String?
        let phone: String?
        let guardianId: String?
        let status: StatusPayload?
        let exposures: [ExposureAnswer]
    }

    struct ExposureAnswer: Encodable, Sendable {
        let id: String
        let source: String
        let placeName: String?
        let from: String?
        let to: String?
        let level: Int?
        let listedAt: String
        let acknowledged: Bool
        let reviewRequestedAt: String?
    }

    func answer(_ profile: PeopleStore.Profile, account: Account) async throws -> ProfileAnswer {
        let status = await HealthStatusService(services: services).payload(of: profile.id)
        let exposures = try await HealthStatusService(services: services).exposures(of: profile.id).map {
            ExposureAnswer(id: $0.id.uuidString, source: $0.source, placeName: $0.placeName, from: $0.from.map(ISOTime.string), to: $0.to.map(ISOTime.string),
                           level: $0.level, listedAt: ISOTime.string($0.createdAt), acknowledged: $0.acknowledgedAt != nil,
                           reviewRequestedAt: $0.reviewRequestedAt.map(ISOTime.string))
        }
        return ProfileAnswer(id: profile.id.uuidString, name: profile.fullName, birthDate: profile.birthDate, gender: profile.gender, cccd: profile.cccd,
                             bhyt: profile.bhyt,
                             cccdVerified: profile.cccd == nil ? nil : profile.cccdProven, bhytVerified: profile.bhyt == nil ? nil : profile.bhytProven,
                             wardCode: profile.wardCode, address: profile.address,
                             phone: profile.accountId == account.id ? account.phone.national : nil, guardianId: profile.guardianId?.uuidString,
                             status: status, exposures: exposures)
    }

    func profile(_ id: UUID?, _ context: AppRequestContext) async throws -> JSONResponse<ProfileAnswer> {
        let (account, profile) = try await subject(id, context)
        return JSONResponse(try await answer(profile, account: account))
    }

    func update(_ id: UUID?, _ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<ProfileAnswer> {
        let (account, profile) = try await subject(id, context)
        let input = try await citizens.validate(try await request.decodeJSON(CitizenService.ProfileFields.self, context: context))
        try await citizens.save(input, for: profile.id)
        guard let saved = try await services.store.people.profile(id: profile.id) else { throw AppError.notFound }
        return JSONResponse(try await answer(saved, account: account))
    }

    // MARK: Card proof

    struct CardClaimAnswer: Encodable, Sendable {
        let kind: String
        let number: String
        /// Check-ins that came over from the card's earlier scans.
        let moved: Int
        let profile: ProfileAnswer
    }

    func claimCard(_ id: UUID?, _ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<CardClaimAnswer> {
        let (account, profile) = try await subject(id, context)
        let claim = try await request.decodeJSON(CitizenService.CardClaim.self, context: context)
        let result = try await citizens.claimCard(claim, for: profile.id, by: account)
        guard let saved = try await services.store.people.profile(id: profile.id) else { throw AppError.notFound }
        let moved = if case .moved(let n) = result.outcome { n } else { 0 }
        return JSONResponse(CardClaimAnswer(kind: result.kind, number: result.number, moved: moved, profile: try await answer(saved, account: account)))
    }

    // MARK: Personal QR

    struct TokenAnswer: Encodable, Sendable { let token: String; let version: Int }

    func token(_ id: UUID?, _ context: AppRequestContext) async throws -> JSONResponse<TokenAnswer> {
        let (_, profile) = try await subject(id, context)
        return JSONResponse(TokenAnswer(token: citizens.token(for: profile), version: profile.tokenVersion))
    }

    func reissue(_ id: UUID?, _ context: AppRequestContext) async throws -> JSONResponse<TokenAnswer> {
        let (_, profile) = try await subject(id, context)
        let version = try await services.store.people.reissueToken(profile.id, now: services.time.seconds())
        var updated = profile
        updated.tokenVersion = version
        return JSONResponse(TokenAnswer(token: citizens.token(for: updated), version: version))
    }

    // MARK: Health

    struct Created: Encodable, Sendable { let id: String?; let status: StatusPayload? }

    func declare(_ id: UUID?, _ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<Created> {
        let (account, profile) = try await subject(id, context)
        let fields = try await request.decodeJSON(CitizenService.DeclarationFields.self, context: context)
        let declaration = try await citizens.declare(fields, for: profile.id, by: account)
        let status = await HealthStatusService(services: services).payload(of: profile.id)
        return JSONResponse(Created(id: declaration.uuidString, status: status), status: .created)
    }

    func addDose(_ id: UUID?, _ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<Created> {
        let (account, profile) = try await subject(id, context)
        try await citizens.addDose(try await request.decodeJSON(CitizenService.DoseFields.self, context: context), for: profile.id, by: account)
        return JSONResponse(Created(id: nil, status: await HealthStatusService(services: services).payload(of: profile.id)), status: .created)
    }

    func addTest(_ id: UUID?, _ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<Created> {
        let (account, profile) = try await subject(id, context)
        try await citizens.addTest(try await request.decodeJSON(CitizenService.TestFields.self, context: context), for: profile.id, by: account)
        return JSONResponse(Created(id: nil, status: await HealthStatusService(services: services).payload(of: profile.id)), status: .created)
    }

    /// The citizen has read their exposure notices; the alerts stay in their status (only an officer clears them).
    func acknowledgeExposures(_ context: AppRequestContext) async throws -> Response {
        let (_, profile) = try await subject(nil, context)
        try await services.store.health.acknowledgeExposures(profile.id, now: services.time.seconds())
        return Response(status: .noContent)
    }

    struct ReviewRequest: Decodable { let note: String? }

    /// The citizen disputes an exposure: the note goes to the health officers; the alert stays until one clears it.
    func requestReview(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, profile) = try await subject(nil, context)
        let id = try context.parameters.require("id", as: UUID.self)
        let note = try await request.decodeJSON(ReviewRequest.self, context: context).note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard note.count <= 1000 else {
            throw AppError(.unprocessableContent, "note_too_long", en: "The note may be at most 1,000 characters.", vi: "Ghi chú tối đa 1.000 ký tự.")
        }
        guard try await services.store.health.requestReview(of: id, person: profile.id, note: note, now: services.time.seconds()) else { throw AppError.notFound }
        return Response(status: .noContent)
    }

    // MARK: History

    struct HistoryAnswer: Encodable, Sendable {
        struct Item: Encodable, Sendable {
            let checkInId: String
            let placeId: String
            let placeName: String
            let address: String
            let direction: String
            let kind: String
            let scannedAt: String
            let byStaff: Bool
        }
        let items: [Item]
        let next: String?
    }

    func history(_ id: UUID?, _ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<HistoryAnswer> {
        let (_, profile) = try await subject(id, context)
        let limit = min(max(request.query.get("limit").flatMap(Int.init) ?? 50, 1), 200)
        let cursor = try request.query.get("cursor").map(Self.parseCursor)
        let items = try await services.store.people.history(of: profile.id, before: cursor, limit: limit + 1)
        let page = items.prefix(limit)
        let next = items.count > limit ? page.last.map { "\($0.scannedAt).\($0.checkInId.uuidString)" } : nil
        return JSONResponse(HistoryAnswer(items: page.map {
            .init(checkInId: $0.checkInId.uuidString, placeId: $0.placeId.uuidString, placeName: $0.placeName, address: $0.placeAddress,
                  direction: $0.direction.rawValue, kind: $0.kind, scannedAt: ISOTime.string($0.scannedAt), byStaff: $0.scannedByStaff)
        }, next: next))
    }

    struct ViewsAnswer: Encodable, Sendable {
        struct Item: Encodable, Sendable { let at: String; let viewer: String?; let place: String?; let reason: String }
        let items: [Item]
    }

    /// Who saw this person's data unmasked, when, where and why (H7, S4).
    func views(_ id: UUID?, _ context: AppRequestContext) async throws -> JSONResponse<ViewsAnswer> {
        let (_, profile) = try await subject(id, context)
        return JSONResponse(ViewsAnswer(items: try await services.store.people.dataViews(of: profile.id).map {
            .init(at: ISOTime.string($0.at), viewer: $0.viewerPhone.flatMap(PhoneNumber.init)?.masked, place: $0.placeName, reason: $0.reason)
        }))
    }

    static func parseCursor(_ text: String) throws -> (at: Int64, id: String) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let at = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            throw AppError.badRequest("invalid_cursor", en: "The cursor is not valid; start from the first page.", vi: "Con trỏ trang không hợp lệ.")
        }
        return (at, id.uuidString)
    }

    // MARK: Dependents

    struct DependentAnswer: Encodable, Sendable { let id: String; let name: String; let birthDate: String?; let token: String; let handoverPhone: String? }

    func dependents(_ context: AppRequestContext) async throws -> JSONResponse<[DependentAnswer]> {
        let (_, me) = try await subject(nil, context)
        return JSONResponse(try await services.store.people.dependents(of: me.id).map {
            DependentAnswer(id: $0.id.uuidString, name: $0.fullName, birthDate: $0.birthDate, token: citizens.token(for: $0),
                            handoverPhone: $0.handoverPhone.flatMap(PhoneNumber.init)?.national)
        })
    }

    struct NewDependent: Encodable, Sendable { let id: String; let token: String }

    func addDependent(_ request: Request, _ context: AppRequestContext) async throws -> JSONResponse<NewDependent> {
        let (_, me) = try await subject(nil, context)
        guard try await services.store.people.dependents(of: me.id).count < Self.maximumDependents else {
            throw AppError(.unprocessableContent, "too_many_dependents", en: "At most \(Self.maximumDependents) dependents per account.",
                           vi: "Mỗi tài khoản khai báo hộ tối đa \(Self.maximumDependents) người.")
        }
        let input = try await citizens.validate(try await request.decodeJSON(CitizenService.ProfileFields.self, context: context))
        let id = try await citizens.addDependent(input, guardian: me.id)
        guard let profile = try await services.store.people.profile(id: id) else { throw AppError.notFound }
        return JSONResponse(NewDependent(id: id.uuidString, token: citizens.token(for: profile)), status: .created)
    }

    /// Enough for a large household; a cap keeps one account from minting QR cards without end.
    static let maximumDependents = 20

    struct HandoverRequest: Decodable { let phone: String? }

    func handover(_ id: UUID, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, profile) = try await subject(id, context)
        let body = try await request.decodeJSON(HandoverRequest.self, context: context)
        var phone: PhoneNumber?
        if let text = body.phone, !text.isEmpty {
            guard let parsed = PhoneNumber(text) else {
                throw AppError(.unprocessableContent, "invalid_phone", en: "Enter a Vietnamese mobile number, e.g. 0912345678.",
                               vi: "Nhập số điện thoại di động Việt Nam, ví dụ 0912345678.", fields: [FieldError("phone", en: "invalid", vi: "không hợp lệ")])
            }
            guard parsed != context.identity?.account.phone else {
                throw AppError(.unprocessableContent, "handover_to_self", en: "Hand the profile over to the dependent's own phone number, not yours.",
                               vi: "Hãy chuyển hồ sơ cho số điện thoại của chính người đó, không phải số của bạn.", fields: [FieldError("phone", en: "your own number", vi: "số của bạn")])
            }
            phone = parsed
        }
        try await services.store.people.setHandover(profile.id, to: phone)
        return Response(status: .noContent)
    }

    func handovers(_ context: AppRequestContext) async throws -> JSONResponse<[DependentAnswer]> {
        let account = try context.requireAccount()
        return JSONResponse(try await services.store.people.handovers(to: account.phone).map {
            DependentAnswer(id: $0.id.uuidString, name: $0.fullName, birthDate: $0.birthDate, token: "", handoverPhone: account.phone.national)
        })
    }

    func acceptHandover(_ id: UUID, _ context: AppRequestContext) async throws -> JSONResponse<ProfileAnswer> {
        let account = try context.requireAccount()
        guard try await services.store.people.acceptHandover(id, account: account, now: services.time.seconds()),
              let profile = try await services.store.people.profile(id: id) else { throw AppError.notFound }
        services.healthCache.personChanged(id)
        return JSONResponse(try await answer(profile, account: account))
    }
}
