import RavaoCore
import RavaoStore

/// The page frame shared by every web page: head, top bar with language switch and sign-out.
struct Layout {
    let title: String
    let context: AppRequestContext
    let keys: ServerKeys
    var bodyClass = ""

    var s: Strings { Strings(context.language) }

    func render(_ content: HTML) -> HTML {
        let other: Language = context.language == .vi ? .en : .vi
        let account: HTML
        if let identity = context.identity {
            let navigation = Navigation(roles: context.roles ?? RoleSummary(), language: context.language)
            let current = context.currentPath
            let links: [HTML] = navigation.links.map { link in
                let badge: HTML = link.badge > 0 ? " <span class=\"badge\" aria-label=\"\(navigation.s.pending(link.badge))\">\(link.badge)</span>" : ""
                let here = current == link.href || (link.href != "/" && current.hasPrefix(link.href + "/"))
                return "<a href=\"\(link.href)\" id=\"\(link.id)\"\(here ? HTML(unsafeRaw: " aria-current=\"page\"") : "")>\(link.label)\(badge)</a>"
            }
            // A citizen becomes an owner by registering a place; that is the one owner page offered.
            let register: HTML = navigation.roles.isCitizenOnly ? "<a href=\"/places/new\" id=\"nav-new-place\" class=\"secondary-link\">\(navigation.s.newPlace)</a>" : ""
            account = """
            \(links)\(register)
            <form method="post" action="/signout" class="inline">\(csrfField())<button type="submit" class="link">\(s.signOut)</button></form>
            <span class="who">\(identity.account.phone.national)</span>
            """
        } else {
            account = "<a href=\"/signin\">\(s.signIn)</a>"
        }
        return """
        <!doctype html>
        <html lang="\(context.language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Ravao</title>
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/app.js" defer></script>
        </head>
        <body class="\(bodyClass)">
        <header class="topbar no-print">
          <a class="brand" href="/">Ravao</a>
          <nav aria-label="\(NavigationStrings(context.language).menu)">\(account) <a href="?lang=\(other.rawValue)" hreflang="\(other.rawValue)">\(s.otherLanguage)</a></nav>
        </header>
        <main>
        \(content)
        </main>
        </body>
        </html>
        """
    }

    /// The hidden CSRF field every POST form carries.
    func csrfField() -> HTML {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(keys.csrfToken(for: context.csrfBinding))\">"
    }
}

/// The page shown for an error outside the API.
struct ErrorPage {
    let error: AppError
    let language: Language
    let signedIn: Bool

    /// A 404 is the same page for everyone in a language, and the most common error (scanners, old
    /// links): rendered once.
    static let notFoundPages: [Language: HTML] = Dictionary(uniqueKeysWithValues: Language.allCases.map {
        ($0, ErrorPage(error: .notFound, language: $0, signedIn: false).page())
    })

    func response() -> Response {
        let plain = AppError.notFound
        if error.code == plain.code, error.messageEN == plain.messageEN, error.messageVI == plain.messageVI, let page = Self.notFoundPages[language] { return page.response(status: error.status) }
        return page().response(status: error.status)
    }

    func page() -> HTML {
        let s = Strings(language)
        let action: HTML = error.status == .unauthorized ? "<p><a class=\"button\" href=\"/signin\">\(s.signIn)</a></p>" : "<p><a href=\"/\">\(s.home)</a></p>"
        let page: HTML = """
        <!doctype html><html lang="\(language.rawValue)"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(s.error) · Ravao</title>
        <link rel="stylesheet" href="/static/app.css"></head>
        <body><header class="topbar"><a class="brand" href="/">Ravao</a></header><main>
        <h1>\(s.error) \(Int(error.status.code))</h1><p class="error" role="alert">\(error.message(language))</p>\(action)
        </main></body></html>
        """
        return page
    }
}

import Hummingbird
