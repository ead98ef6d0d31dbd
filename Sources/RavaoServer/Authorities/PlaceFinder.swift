import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// How an officer names a place: its name (words in any order, accents optional), its poster code,
/// or the poster's pasted link. Only places inside the officer's jurisdiction are ever read or shown,
/// so the search cannot be used to discover places elsewhere.
struct PlaceFinder {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    static let limit = 20

    func find(_ text: String?, for officer: OfficerAccess.Officer) async throws -> [Place] {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text.count <= 300 else { return [] }
        if let id = UUID(uuidString: text) {
            return (try? await access.place(id, for: officer)).map { [$0] } ?? []
        }
        let isLink = text.contains("/c/")
        if let code = PrivilegePages.code(text), PlaceCode.isWellFormed(code), isLink || !text.contains(" ") {
            if case .live(let place) = try await services.store.places.lookup(code: code), officer.jurisdiction.contains(place) { return [place] }
            // A link names one poster: never fall back to a name search on its text.
            if isLink { return [] }
        }
        return try await services.store.places.search(text, column: officer.jurisdiction.placeColumn,
                                                      code: officer.jurisdiction.scope == .country ? nil : officer.jurisdiction.code,
                                                      limit: Self.limit)
    }

    struct FoundBody: Encodable, Sendable {
        let id: String
        let name: String
        let code: String
        let address: String
        let unitName: String
    }

    func describe(_ places: [Place]) async throws -> [FoundBody] {
        let scheme = try await services.store.units.activeScheme()
        var out: [FoundBody] = []
        for place in places {
            let unit = try await services.store.units.unit(place.wardCode, scheme: scheme)?.name ?? ""
            out.append(FoundBody(id: place.id.uuidString, name: place.name, code: place.code, address: place.address, unitName: unit))
        }
        return out
    }

    /// `GET /api/v1/jurisdiction/places?q=`: what the place pickers on the officers' pages ask.
    @Sendable func api(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[FoundBody]> {
        let officer = try await access.officer(context)
        return JSONResponse(try await describe(try await find(request.query.get("q"), for: officer)))
    }
}

struct PlacePickerStrings {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }
    var label: String { t("Địa điểm", "Place") }
    var help: String { t("Gõ tên, mã trên áp phích hoặc dán đường dẫn của áp phích; chỉ tìm trong địa bàn của bạn.",
                         "Type the name or the poster's code, or paste the poster's link; only places in your jurisdiction are found.") }
    var chosen: String { t("Đã chọn", "Chosen") }
    var none: String { t("Không tìm thấy địa điểm nào trong địa bàn của bạn.", "No place found in your jurisdiction.") }
    var chooseOne: String { t("Chọn một địa điểm", "Choose one place") }
    func several(_ n: Int) -> String { t("Có \(n) địa điểm khớp; hãy chọn một.", "\(n) places match; choose one.") }
}
