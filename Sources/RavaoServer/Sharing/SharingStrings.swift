import RavaoCore

/// Interface text of sharing, history, scan history and work history, in Vietnamese and English.
struct SharingStrings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var share: String { t("Chia sẻ địa điểm", "Share this place") }
    var shareIntro: String { t("Nhập số điện thoại của người bạn muốn chia sẻ và chọn vai trò. Nếu muốn chia sẻ cho nhiều người, nhập các số cách nhau bởi dấu phẩy. Mỗi người nhận một mã qua SMS; lượt chia sẻ có hiệu lực khi mã được nhập (người được chia sẻ tự nhập, hoặc đọc mã cho bạn nhập).",
                               "Enter the phone numbers of the people to share with, separated by commas, and choose a role. Each gets a code by SMS; the share takes effect when the code is entered (by them, signed in, or by you as they read it out).") }
    var phones: String { t("Số điện thoại (cách nhau bởi dấu phẩy)", "Phone numbers (comma-separated)") }
    var role: String { t("Vai trò", "Role") }
    var expiry: String { t("Hết hạn (không bắt buộc)", "Expires (optional)") }
    var shares: String { t("Lượt chia sẻ", "Shares") }
    var members: String { t("Người có quyền", "People with access") }
    var status: String { t("Trạng thái", "Status") }
    var code: String { t("Mã xác nhận", "Code") }
    var confirm: String { t("Xác nhận", "Confirm") }
    var revoke: String { t("Huỷ chia sẻ", "Revoke") }
    var remove: String { t("Gỡ quyền", "Remove") }
    var leave: String { t("Rời địa điểm", "Leave") }
    var noShares: String { t("Chưa chia sẻ cho ai.", "Not shared with anyone yet.") }
    var you: String { t("bạn", "you") }
    var invitations: String { t("Lời mời chia sẻ", "Shares waiting for you") }
    var noInvitations: String { t("Không có lời mời nào đang chờ.", "No shares are waiting for you.") }
    var invitationHelp: String { t("Mỗi lời mời có một mã riêng gửi qua SMS. Nhập mã đó vào đây để nhận quyền với địa điểm (hoặc đọc mã cho người đã mời bạn nhập). Nhập sai thì có thể nhập lại.",
                                   "Each invitation has its own code, sent by SMS. Enter it here to accept (or read it to the person who invited you). A wrong code can be entered again.") }
    var invitedBy: String { t("mời bởi", "invited by") }
    var codeUntil: String { t("mã hết hạn lúc", "code valid until") }
    var enterCode: String { t("Mã trong tin nhắn", "Code from the SMS") }
    var accept: String { t("Nhận lời mời", "Accept") }
    var wrongCodeRetry: String { t("Mã không đúng hoặc đã hết hạn. Hãy kiểm tra tin nhắn và nhập lại.", "That code is wrong or has expired. Check the SMS and enter it again.") }
    var onlyOwner: String { t("Bạn là chủ sở hữu duy nhất nên chưa thể rời địa điểm; hãy chia sẻ quyền chủ sở hữu cho người khác trước.",
                              "You are the only owner, so you cannot leave yet; share ownership with someone else first.") }
    var roleHelp: String { t("Chủ địa điểm: toàn quyền, kể cả chia sẻ và xoá. Người quản lý: xem lịch sử, thống kê, tải dữ liệu, sửa thông tin. Người kiểm soát vào ra: chỉ quét mã tại địa điểm và xem kết quả các lượt mình quét.",
                             "Owner: everything, including sharing and deleting. Manager: history, statistics, exports, editing details. Entry controller: scans at the place and sees only their own scans.") }
    func statusName(_ s: String) -> String {
        switch s {
        case "pending": return t("Chờ nhập mã", "Waiting for the code")
        case "active": return t("Đang hiệu lực", "Active")
        case "expired": return t("Đã hết hạn", "Expired")
        case "revoked": return t("Đã huỷ", "Revoked")
        default: return s
        }
    }
    var until: String { t("đến", "until") }
    var history: String { t("Lịch sử địa điểm", "Place history") }
    var scanHistory: String { t("Lịch sử quét mã QR", "Scan history") }
    var myScans: String { t("Các lượt tôi đã quét", "My scans") }
    var time: String { t("Ngày giờ xử lý", "Time") }
    var account: String { t("Tài khoản", "Account") }
    var ip: String { t("Địa chỉ IP", "IP address") }
    var log: String { t("Nhật ký xử lý", "What happened") }
    var allActions: String { t("Tất cả thao tác", "All actions") }
    var filter: String { t("Lọc", "Filter") }
    var from: String { t("Từ", "From") }
    var to: String { t("Đến", "To") }
    var direction: String { t("Chiều", "Direction") }
    var kind: String { t("Loại mã", "Kind") }
    var any: String { t("Tất cả", "All") }
    var searchScans: String { t("Tên (như hiển thị) hoặc số cuối SĐT", "Name (as shown) or last digits of the phone") }
    var thisPlaceOnly: String { t("Chỉ địa điểm này (không gồm địa điểm bên trong)", "This place only (not the places inside)") }
    var next: String { t("Trang sau →", "Next page →") }
    var first: String { t("← Trang đầu", "← First page") }
    var none: String { t("Không có lượt quét nào.", "No scans.") }
    var noEntries: String { t("Chưa có mục nào.", "Nothing yet.") }
    var downloadCSV: String { t("Tải CSV", "Download CSV") }
    var downloadXLSX: String { t("Tải Excel (XLSX)", "Download Excel (XLSX)") }
    var downloading: String { t("Đang tải dữ liệu (truyền dần)…", "Downloading (streamed)…") }
    var downloaded: String { t("Đã tải", "Downloaded") }
    var streamingNote: String { t("Tệp được tạo và gửi dần trong khi tải, kể cả với hàng triệu lượt quét.", "The file is built and sent while it downloads, even for millions of scans.") }
    var place: String { t("Địa điểm", "Place") }
    var name: String { t("Họ tên", "Name") }
    var phone: String { t("Số điện thoại", "Phone") }
    var scans: String { t("Lượt quét", "Scans") }
    var entries: String { t("Lượt vào", "Entries") }
    var exits: String { t("Lượt ra", "Exits") }
    var people: String { t("Số người", "People") }
    var masked: String { t("Thông tin cá nhân được che một phần.", "Personal data is partly masked.") }
    var unmasked: String { t("Địa điểm được phép xem đầy đủ thông tin; mỗi lần xem được ghi lại.", "This place may see full personal data; every view is logged.") }
    var work: String { t("Lịch sử làm việc", "Work history") }
    var scansPerDay: String { t("Số lượt quét mỗi ngày (30 ngày)", "Scans per day (30 days)") }
    var day: String { t("Ngày", "Day") }
    var myActions: String { t("Thao tác của tôi (tải dữ liệu, chia sẻ…)", "My actions (exports, shares…)") }
    var directionIn: String { t("Vào", "In") }
    var directionOut: String { t("Ra", "Out") }
    var apiCall: String { t("Gọi API", "API call") }
    var searchLabel: String { t("Tìm kiếm", "Search") }

    func action(_ a: String) -> String {
        switch PlaceAction(rawValue: a) {
        case .shared: return t("Chia sẻ địa điểm", "Shared")
        case .shareConfirmed: return t("Xác nhận chia sẻ", "Share confirmed")
        case .unshared: return t("Huỷ chia sẻ", "Unshared")
        case .roleChanged: return t("Đổi vai trò", "Role changed")
        case .qrDownloaded: return t("Tải mã QR", "QR downloaded")
        case .posterPrinted: return t("In mã QR", "Poster printed")
        case .codeRotated: return t("Đổi mã QR", "Code replaced")
        case .edited: return t("Sửa thông tin", "Edited")
        case .deleted: return t("Xoá địa điểm", "Deleted")
        case .exported: return t("Tải dữ liệu quét", "Scans exported")
        case .deviceCreated: return t("Tạo kiosk", "Kiosk created")
        case .deviceRevoked: return t("Thu hồi kiosk", "Kiosk revoked")
        case .accessRequestDecided: return t("Xử lý yêu cầu truy cập", "Access request answered")
        case .privilegeGranted: return t("Cơ quan y tế cho phép xem đầy đủ thông tin", "Health officer granted full data")
        case .privilegeRevoked: return t("Cơ quan y tế thu hồi quyền xem đầy đủ", "Health officer revoked full data")
        case nil: return a
        }
    }

    /// History details as one line in the reader's language: every key and coded value named (issue 18:
    /// no `status: awaiting_sign_in`). The API path of a call is left out; the "API call" badge says it.
    func details(_ d: [String: String], roles: [PlaceRole: String]) -> String {
        d.filter { $0.key != "call" && !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { key, value in
            "\(detailName(key)): \(detailValue(key, value, roles: roles))"
        }.joined(separator: " · ")
    }

    func detailName(_ key: String) -> String {
        switch key {
        case "phone": return t("Số điện thoại", "Phone")
        case "role": return t("Vai trò", "Role")
        case "previousRole": return t("Vai trò trước", "Previous role")
        case "status": return t("Trạng thái", "Status")
        case "expiresAt": return t("Hết hạn", "Expires")
        case "format": return t("Định dạng", "Format")
        case "decision": return t("Quyết định", "Decision")
        case "deviceId": return t("Thiết bị", "Device")
        case "left": return t("Tự rời", "Left by themselves")
        case "note": return t("Ghi chú", "Note")
        case "from": return t("Từ", "From")
        case "to": return t("Đến", "To")
        case "direction": return t("Chiều", "Direction")
        case "kind": return t("Loại mã", "Code kind")
        case "q": return t("Tìm", "Search")
        case "inside": return t("Chỉ địa điểm này", "This place only")
        default: return key
        }
    }

    func detailValue(_ key: String, _ value: String, roles: [PlaceRole: String]) -> String {
        switch key {
        case "role", "previousRole": return PlaceRole(rawValue: value).flatMap { roles[$0] } ?? value
        case "status":
            switch value {
            case "awaiting_sign_in": return t("Chờ người được mời đăng nhập", "Waiting for the invitee to sign in")
            case "accepted": return t("Đã đồng ý", "Accepted")
            case "declined": return t("Đã từ chối", "Declined")
            default: return statusName(value)
            }
        case "decision": return value == "accept" ? t("Đồng ý", "Accept") : value == "decline" ? t("Từ chối", "Decline") : value
        case "left", "inside": return value == "yes" || value == "0" ? t("Có", "Yes") : value == "no" ? t("Không", "No") : value
        case "format":
            switch value {
            case "a4": return t("áp phích A4", "A4 poster")
            case "sheet": return t("tờ mã bàn", "table sheet")
            default: return value.uppercased()
            }
        case "direction": return value == "in" ? directionIn : value == "out" ? directionOut : value
        case "kind": return PayloadKind(rawValue: value).map(kindName) ?? value
        case "expiresAt", "from", "to":
            if let date = ISOTime.parse(value) { return LocalTime.format(Int64(date.timeIntervalSince1970)) }
            return value.replacingOccurrences(of: "T", with: " ")
        default: return value
        }
    }

    /// What was scanned, named for people (never the internal code).
    func kindName(_ kind: PayloadKind) -> String { t(kind.displayNameVI, kind.displayName) }
}
