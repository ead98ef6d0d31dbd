import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// The staff scanning station (C2, C4) and the unattended kiosk (C5). Both pages are thin: the scanning,
/// sounds, camera and offline queue live in `scanner.js`, `station.js` and `kiosk.js`, which talk to
/// `POST /api/v1/scans`; the pages only carry the place, the CSRF token and the words the scripts show.
struct StationPages {
    let services: AppServices
    var placeService: PlaceService { PlaceService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("station", use: chooser)
        router.get("places/:id/station", use: station)
        router.get("kiosk", use: kiosk)
    }

    /// Web pages send strangers to sign-in, then back to where they were going.
    func account(_ context: AppRequestContext, _ request: Request) throws -> Account {
        guard let identity = context.identity else { throw RedirectToSignIn(next: request.uri.path) }
        return identity.account
    }

    // MARK: Choosing a place

    /// `GET /station`: every place where the account has a role; each role may scan at the door.
    @Sendable func chooser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let s = StationStrings(context.language)
        let roles = Strings(context.language).roleNames
        let (items, _) = try await services.store.places.places(of: account.id, filter: .init(limit: 500, now: services.time.seconds()))
        let rows: [HTML] = items.map { item in """
            <li class="place-row"><a href="/places/\(item.place.id.uuidString)/station">
              <strong class="place-name">\(item.place.name)</strong>
              <span class="muted">\(item.place.placeType.name(in: context.language)) · \(roles[item.role] ?? "")</span>
            </a></li>
            """ }
        let layout = Layout(title: s.stationTitle, context: context, keys: services.keys)
        return layout.render("""
        <h1>\(s.stationTitle)</h1>
        <p>\(s.chooseIntro)</p>
        \(items.isEmpty ? "<p id=\"no-station-places\">\(s.noStaffPlaces)</p>" as HTML : "<ul class=\"places\" id=\"station-places\">\(rows)</ul>")
        """).response()
    }

    // MARK: Station

    /// `GET /places/{id}/station`: 404 for a place the account has no role at, as everywhere else.
    ///
    /// Guard mode (issue 17): the scan field and the camera come first; on a phone (≤ 640 px) the site
    /// menu is folded away behind a "Menu" button so nothing pushes the field down, and "Full screen"
    /// hides it on any screen. Counters, the pending queue, the phone form and the recent list follow.
    @Sendable func station(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (place, _) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: account)
        let s = StationStrings(context.language)
        // Today's counts as the page opens (a guard reloading at 6 am sees the night's numbers); each
        // scan's answer updates them. Not worth failing the page for.
        let counts = try? await services.store.checkIns.dayCounts(placeId: place.id, on: services.time.seconds())
        let layout = Layout(title: "\(s.stationTitle) · \(place.name)", context: context, keys: services.keys, bodyClass: "station-body")
        return layout.render("""
        <link rel="stylesheet" href="/static/station.css">
        <script src="/static/scan-rules.js" defer></script>
        <script src="/static/scan-queue.js" defer></script>
        <script src="/static/camera.js" defer></script>
        <script src="/static/scanner.js" defer></script>
        <script src="/static/station.js" defer></script>
        <section class="station" id="station" data-place-id="\(place.id.uuidString)" data-account="\(account.id.uuidString)"
                 data-csrf="\(services.keys.csrfToken(for: context.csrfBinding))"
                 data-lang="\(context.language.rawValue)" data-strings="\(s.scriptJSON)">
          <div class="station-head">
            <h1 id="station-place">\(place.name)</h1>
            <div class="station-tools">
              <button type="button" class="secondary small" id="menu-toggle" aria-expanded="false">\(s.menu)</button>
              <button type="button" class="secondary small" id="fullscreen-button" aria-pressed="false">\(s.fullscreen)</button>
            </div>
          </div>
          <div class="station-controls">
            <fieldset class="direction" id="direction">
              <legend>\(s.direction)</legend>
              <label><input type="radio" name="direction" value="in" id="direction-in" checked><span>\(s.directionIn)</span></label>
              <label><input type="radio" name="direction" value="out" id="direction-out"><span>\(s.directionOut)</span></label>
            </fieldset>
            <label class="lock" for="direction-lock"><input type="checkbox" id="direction-lock"> \(s.lockDirection)</label>
          </div>
          <label class="scan-label" for="scan-input">\(s.scanLabel)</label>
          <input id="scan-input" class="scan-input" type="text" name="scan" autocomplete="off" autocapitalize="off" autocorrect="off"
                 spellcheck="false" lang="en" inputmode="text" enterkeyhint="send" aria-describedby="scan-hint" autofocus>
          \(cameraControls(s))
          <dl class="station-counts" id="station-counts">
            <div><dt>\(s.todayIn)</dt><dd id="count-in">\(counts.map { String($0.entries) } ?? "–")</dd></div>
            <div><dt>\(s.todayOut)</dt><dd id="count-out">\(counts.map { String($0.exits) } ?? "–")</dd></div>
            <div><dt>\(s.queueLabel)</dt><dd id="queue-count" data-count="0">0</dd></div>
            <div><dt>\(s.network)</dt><dd><span id="network-state" class="network-state" data-state="unknown">–</span></dd></div>
          </dl>
          <form id="phone-form" class="phone-form" autocomplete="off">
            <label for="phone-input">\(s.phoneLegend)</label>
            <div class="phone-row">
              <input id="phone-input" type="tel" inputmode="tel" autocomplete="off" maxlength="20" placeholder="0912 345 678" aria-describedby="phone-error">
              <button type="submit" id="phone-submit">\(s.phoneSubmit)</button>
            </div>
            <p class="field-error" id="phone-error" role="alert" hidden></p>
          </form>
          <h2>\(s.recent)</h2>
          <ol class="recent" id="recent-scans" aria-label="\(s.recent)"></ol>
          <details class="station-settings" id="station-settings">
            <summary>\(s.settings)</summary>
            <label for="hold-seconds">\(s.holdLabel)</label>
            <select id="hold-seconds">
              \(HTML(unsafeRaw: [3, 5, 8, 15, 30, 0].map { n in
                  "<option value=\"\(n)\"\(n == 8 ? " selected" : "")>\(HTMLEscaping.escape(n == 0 ? s.holdUntilNext : s.seconds(n)))</option>"
              }.joined()))
            </select>
            <p class="muted" id="scan-hint">\(s.scanHint)</p>
          </details>
          \(resultOverlay())
        </section>
        """).response()
    }

    private func cameraControls(_ s: StationStrings) -> HTML {
        """
        <div class="camera">
          <button type="button" class="secondary" id="camera-button" hidden>\(s.useCamera)</button>
          <p class="muted" id="camera-note" hidden>\(s.noCamera)</p>
          <video id="camera-video" class="camera-video" muted playsinline hidden></video>
        </div>
        """
    }

    /// One overlay for every outcome; the scripts fill it. It never takes focus, so the scanner keeps
    /// typing into the input underneath while it shows.
    func resultOverlay() -> HTML {
        """
        <div id="result" class="result" role="status" aria-live="assertive" aria-atomic="true" hidden>
          <p class="result-note" id="result-note" hidden></p>
          <p class="result-title" id="result-title"></p>
          <p class="result-name" id="result-name"></p>
          <p class="result-year" id="result-year" hidden></p>
          <p class="result-health" id="result-health" hidden></p>
          <p class="result-meta" id="result-meta"></p>
          <p class="result-reason" id="result-reason"></p>
          <p class="result-today" id="result-today" hidden></p>
        </div>
        """
    }

    // MARK: Kiosk

    /// `GET /kiosk`: no session; the device key stays in the browser (URL fragment, then localStorage)
    /// and goes only to the API as a bearer token, so it never appears in a server log.
    @Sendable func kiosk(_ request: Request, context: AppRequestContext) async throws -> Response {
        let s = StationStrings(context.language)
        let page: HTML = """
        <!doctype html>
        <html lang="\(context.language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(s.kioskTitle) · Ravao</title>
        <link rel="stylesheet" href="/static/app.css">
        <link rel="stylesheet" href="/static/station.css">
        <script src="/static/scan-rules.js" defer></script>
        <script src="/static/scan-queue.js" defer></script>
        <script src="/static/camera.js" defer></script>
        <script src="/static/scanner.js" defer></script>
        <script src="/static/kiosk.js" defer></script>
        </head>
        <body class="kiosk-body">
        <main class="kiosk" id="kiosk" data-lang="\(context.language.rawValue)" data-strings="\(s.scriptJSON)">
          <section id="kiosk-setup" class="card narrow" hidden>
            <h1>\(s.keyTitle)</h1>
            <p>\(s.keyIntro)</p>
            <p class="error" id="key-error" role="alert" hidden>\(s.keyInvalid)</p>
            <form id="key-form" autocomplete="off">
              <label for="key-input">\(s.keyLabel)</label>
              <input id="key-input" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" lang="en" required>
              <button type="submit" id="key-save">\(s.keySave)</button>
            </form>
          </section>
          <section id="kiosk-revoked" class="card narrow" hidden>
            <h1>\(s.keyRevokedTitle)</h1>
            <p class="error" role="alert">\(s.keyInvalid)</p>
            <p>\(s.keyRevokedQueue)</p>
            <button type="button" id="key-replace">\(s.keyReplace)</button>
          </section>
          <section id="kiosk-scan" class="kiosk-scan" hidden>
            <header class="kiosk-head">
              <p class="kiosk-place" id="kiosk-place"></p>
              <div class="kiosk-controls">
                <button type="button" class="secondary small" id="direction-toggle" data-direction="in" aria-label="\(s.direction)">\(s.directionIn)</button>
                <button type="button" class="secondary small" id="fullscreen-button">\(s.fullscreen)</button>
              </div>
            </header>
            <h1 class="kiosk-prompt">\(s.kioskPrompt)</h1>
            <label class="visually-hidden" for="scan-input">\(s.scanLabel)</label>
            <input id="scan-input" class="scan-input" type="text" name="scan" autocomplete="off" autocapitalize="off" autocorrect="off"
                   spellcheck="false" lang="en" inputmode="text" enterkeyhint="send">
            \(cameraControls(s))
            <footer class="kiosk-foot">
              <span id="network-state" class="network-state" data-state="unknown"></span>
              <span>\(s.queueLabel): <strong id="queue-count">0</strong></span>
            </footer>
          </section>
          \(resultOverlay())
        </main>
        </body>
        </html>
        """
        return page.response()
    }
}

/// The words of the station and kiosk, kept here so the pages and their scripts read from one table.
private struct StationStrings {
    let language: Language
    init(_ language: Language) { self.language = language }

    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var stationTitle: String { t("Trạm quét", "Scanning station") }
    var chooseIntro: String { t("Chọn địa điểm để quét mã QR khi ra vào.", "Choose the place you are scanning at.") }
    var noStaffPlaces: String { t("Bạn chưa là chủ, người quản lý hay người kiểm soát vào ra của địa điểm nào.",
                                  "You are not the owner, a manager or an entry controller of any place yet.") }
    var direction: String { t("Chiều", "Direction") }
    var directionIn: String { t("Vào", "In") }
    var directionOut: String { t("Ra", "Out") }
    var scanLabel: String { t("Quét hoặc dán mã QR", "Scan or paste a QR code") }
    var scanHint: String { t("Máy quét USB gõ mã vào ô này; dán mã cũng được. Kết quả hiện ngay, sẵn sàng cho người tiếp theo.",
                             "A USB scanner types into this box; pasting works too. The result shows at once, ready for the next person.") }
    var phoneLegend: String { t("Không có mã QR — tìm theo số điện thoại", "No QR — by phone number") }
    var phoneSubmit: String { t("Ghi nhận", "Record") }
    var useCamera: String { t("Dùng camera", "Use camera") }
    var stopCamera: String { t("Tắt camera", "Stop camera") }
    // Only a page with no camera access at all says so: every browser that has a camera reads QR codes.
    var noCamera: String { t("Không mở được camera trên trang này (cần https và quyền dùng camera); hãy dùng máy quét hoặc dán mã.",
                             "This page cannot open a camera (it needs https and camera permission); use a scanner or paste the code.") }
    var cameraFailed: String { t("Không mở được camera.", "The camera could not be opened.") }
    var recent: String { t("Lượt quét gần đây", "Recent scans") }
    var menu: String { t("Menu", "Menu") }
    var lockDirection: String { t("Giữ chiều", "Lock direction") }
    var todayIn: String { t("Vào hôm nay", "In today") }
    var todayOut: String { t("Ra hôm nay", "Out today") }
    var network: String { t("Mạng", "Network") }
    var settings: String { t("Cài đặt trạm", "Station settings") }
    var holdLabel: String { t("Giữ kết quả trên màn hình", "Keep the result on screen") }
    var holdUntilNext: String { t("Đến lượt quét sau", "Until the next scan") }
    func seconds(_ n: Int) -> String { t("\(n) giây", "\(n) seconds") }

    var kioskTitle: String { t("Quét mã ra vào", "Scan in and out") }
    var kioskPrompt: String { t("Đưa mã QR, thẻ BHYT hoặc CCCD vào máy quét", "Hold your QR code, health-insurance card or ID card to the scanner") }
    var keyTitle: String { t("Kết nối thiết bị", "Set up this device") }
    var keyIntro: String { t("Dán mã thiết bị do chủ hoặc người quản lý địa điểm tạo (bắt đầu bằng rvd_).",
                             "Paste the device key the place's owner or manager created (it starts with rvd_).") }
    var keyLabel: String { t("Mã thiết bị", "Device key") }
    var keySave: String { t("Lưu", "Save") }
    var keyInvalid: String { t("Mã thiết bị không hợp lệ hoặc đã bị thu hồi.", "The device key is invalid or was revoked.") }
    var keyRevokedTitle: String { t("Thiết bị chưa được kết nối", "This device is not connected") }
    var keyRevokedQueue: String { t("Các lượt quét chưa gửi vẫn được giữ trên máy này.", "Scans not yet uploaded are kept on this device.") }
    var keyReplace: String { t("Nhập mã khác", "Enter another key") }
    var fullscreen: String { t("Toàn màn hình", "Full screen") }
    var queueLabel: String { t("Chờ gửi", "Waiting to upload") }

    /// What the scripts show, as JSON in a data attribute (CSP forbids inline scripts).
    var scriptJSON: String {
        let words: [String: String] = [
            "recorded": t("Đã ghi nhận", "Recorded"),
            "duplicate": t("Đã ghi nhận trước đó", "Already recorded"),
            // Titles by severity (scan-rules.js): the most serious thing wins the screen.
            "titleCase": t("Cảnh báo dịch tễ — không cho vào", "Epidemic alert — do not admit"),
            "titleContact": t("Cảnh báo tiếp xúc (F1/F2) — không cho vào, báo y tế", "Contact alert (F1/F2) — do not admit, call health staff"),
            "titleAbnormal": t("Khai báo bất thường — kiểm tra thêm", "Abnormal declaration — check further"),
            "titleUnknown": t("Chưa khai báo y tế", "No health declaration"),
            "titleNormal": t("Đã ghi nhận", "Recorded"),
            "healthUnreadable": t("Chưa đọc được tình trạng sức khỏe", "The health status could not be read"),
            "refused": t("Từ chối", "Refused"),
            "unrecognized": t("Không đọc được mã — quét lại", "Code not recognised — scan again"),
            "retryHint": t("Đưa mã lại gần hoặc nhập số điện thoại.", "Hold the code closer, or type the phone number."),
            "alreadyScanned": t("Vừa quét mã này — không ghi thêm lần nữa", "Just scanned — not recorded again"),
            "bornIn": t("Sinh năm", "Born"),
            "todayIn": t("Hôm nay vào", "Today in"),
            "todayOut": t("ra", "out"),
            "tokenRevoked": t("Mã QR cá nhân này đã được thay bằng mã mới; đề nghị xuất trình mã hiện tại.",
                              "This personal QR was replaced by a newer one; ask for the current QR."),
            "notAllowed": t("Không có quyền quét tại địa điểm này", "Not allowed to scan at this place"),
            "sessionExpired": t("Phiên đăng nhập đã hết hạn — hãy tải lại trang và đăng nhập lại.", "Your session has expired — reload the page and sign in again."),
            "networkError": t("Mất kết nối — chưa ghi nhận, hãy quét lại", "No connection — not recorded, scan again"),
            "serverError": t("Hệ thống đang lỗi — chưa ghi nhận, hãy quét lại", "Server error — not recorded, scan again"),
            "queued": t("Đã lưu, sẽ gửi khi có mạng", "Saved, will upload"),
            "queuedDetail": t("Lượt quét được giữ trên máy này và tự gửi khi có mạng.", "The scan is kept on this device and uploads by itself when the network is back."),
            "phoneInvalid": t("Số điện thoại chưa đúng — sửa rồi bấm Ghi nhận.", "That phone number is not valid — correct it and press Record."),
            "menu": menu,
            "fullscreen": fullscreen,
            "exitFullscreen": t("Thoát toàn màn hình", "Leave full screen"),
            "pending": t("Đang gửi…", "Sending…"),
            "in": t("Vào", "In"),
            "out": t("Ra", "Out"),
            "kind.ravao": t("Mã QR Ravao", "Ravao QR"),
            "kind.national": t("Mã QR cá nhân quốc gia", "National personal QR"),
            "kind.bhyt": t("Thẻ BHYT", "Health-insurance card"),
            "kind.cccd": t("Thẻ CCCD", "Citizen ID card"),
            "kind.phone": t("Số điện thoại", "Phone number"),
            "useCamera": useCamera,
            "stopCamera": stopCamera,
            "cameraFailed": cameraFailed,
            "online": t("Có mạng", "Online"),
            "offline": t("Mất mạng", "Offline"),
            "keyInvalid": keyInvalid,
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(words)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
