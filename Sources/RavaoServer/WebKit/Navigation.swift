import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// Reads the signed-in account's roles for web pages (never for the API, static files or probes), so
/// the menu shows only what those roles allow. One read per page view; the scan path is `/api/` and
/// never pays for it.
/// The menu and the landing page, by role: a citizen's work is `/me`, a guard's the station, an
/// owner's the places, an officer's the dashboard, HR's the company.
struct Navigation {
    let roles: RoleSummary
    let language: Language

    /// Pages carry the menu; API calls, assets, exports and event streams do not read the roles.
    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path.hasPrefix("/static/") || path == "/healthz" || path == "/metrics" || path.hasSuffix(".js")
          || path.hasSuffix(".csv") || path.hasSuffix(".xlsx") || path.hasSuffix("/live/events"))
    }

    struct Link: Equatable {
        let id: String
        let href: String
        let label: String
        var badge: Int = 0
    }

    var s: NavigationStrings { NavigationStrings(language) }

    var links: [Link] {
        var out: [Link] = []
        if let home = officerHome { out.append(Link(id: "nav-authorities", href: home, label: s.authorities)) }
        if let org = orgHome { out.append(Link(id: "nav-orgs", href: org, label: OrgStrings(language).orgs)) }
        if roles.scanPlaces > 0 {
            out.append(Link(id: "nav-station", href: stationHome, label: s.station))
            out.append(Link(id: "nav-places", href: "/places", label: Strings(language).myPlaces))
            out.append(Link(id: "nav-work", href: "/work", label: SharingStrings(language).work))
        }
        if roles.pendingShares > 0 {
            out.append(Link(id: "nav-shares", href: "/shares", label: SharingStrings(language).invitations, badge: roles.pendingShares))
        }
        out.append(Link(id: "nav-me", href: "/me", label: CitizenStrings(language).me))
        return out
    }

    /// The officer's first page their functions open (the dashboard needs `statistics`).
    var officerHome: String? {
        guard roles.officer else { return nil }
        if roles.officerFunctions.contains(OfficerFunction.statistics.rawValue) { return "/authorities" }
        if roles.officerFunctions.contains(OfficerFunction.health.rawValue) { return "/authorities/tracing" }
        return "/authorities/risk"
    }

    /// A company's page for its members; an owner or manager of places may create one from the list.
    var orgHome: String? {
        if roles.orgs == 0 { return roles.managedPlaces > 0 ? "/orgs" : nil }
        if roles.orgs == 1, let org = roles.firstOrg { return "/orgs/\(org.uuidString)" }
        return "/orgs"
    }

    /// One place: its station directly; several: the chooser.
    var stationHome: String {
        roles.onlyScanPlace.map { "/places/\($0.uuidString)/station" } ?? "/station"
    }

    /// Where a person lands after sign-in (or on `/`) when no page was asked for. Invitations come
    /// first: the code they wait for expires.
    var landing: String {
        if roles.pendingShares > 0 { return "/shares" }
        if let home = officerHome { return home }
        if roles.managedPlaces > 0 { return "/places" }
        if roles.orgs > 0, let org = orgHome { return org }
        if roles.scanPlaces > 0 { return stationHome }
        return "/me"
    }
}

struct NavigationStrings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }
    func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var authorities: String { t("Cơ quan chức năng", "Authorities") }
    var station: String { t("Quét mã", "Scan") }
    var menu: String { t("Trình đơn chính", "Main menu") }
    var newPlace: String { t("Đăng ký địa điểm", "Register a place") }
    var newOrg: String { t("Tạo doanh nghiệp", "Create a company") }
    func pending(_ n: Int) -> String { t("\(n) lời mời đang chờ", "\(n) waiting") }
}
