import RavaoCore

/// The interface text in Vietnamese (default) and English (P3). One table, so a missing
/// translation shows up as a compile error in `Strings.swift` rather than as a blank on a page.
struct Strings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }

    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var appName: String { "Ravao" }
    var tagline: String { t("Kiểm soát ra vào bằng mã QR", "QR entry control") }
    var signIn: String { t("Đăng nhập", "Sign in") }
    var signOut: String { t("Đăng xuất", "Sign out") }
    var phone: String { t("Số điện thoại", "Phone number") }
    var sendCode: String { t("Gửi mã xác thực", "Send code") }
    var code: String { t("Mã xác thực (6 số)", "Code (6 digits)") }
    var confirm: String { t("Xác nhận", "Confirm") }
    var codeSent: String { t("Mã xác thực đã được gửi qua SMS đến", "A code was sent by SMS to") }
    var resend: String { t("Gửi lại mã", "Send a new code") }
    var signInIntro: String { t("Nhập số điện thoại, chúng tôi sẽ gửi mã xác thực qua SMS. Lần đầu đăng nhập sẽ tạo tài khoản.",
                                "Enter your phone number and we will text you a code. Signing in the first time creates your account.") }
    var myPlaces: String { t("Địa điểm của tôi", "My places") }
    var newPlace: String { t("Đăng ký địa điểm", "Register a place") }
    var addByCode: String { t("Thêm địa điểm bằng mã", "Add a place by its code") }
    var search: String { t("Tìm kiếm", "Search") }
    var searchHint: String { t("Tên, địa chỉ, phường/xã, tỉnh, loại, người đăng ký, SĐT chủ", "Name, address, ward, province, type, registrant, owner phone") }
    var name: String { t("Tên địa điểm", "Place name") }
    var type: String { t("Loại địa điểm", "Type") }
    var province: String { t("Tỉnh/Thành phố", "Province") }
    var district: String { t("Quận/Huyện", "District") }
    var ward: String { t("Phường/Xã", "Ward") }
    var address: String { t("Số nhà, đường", "Street address") }
    var parent: String { t("Nằm trong địa điểm", "Inside place") }
    var noParent: String { t("— Không —", "— None —") }
    var plate: String { t("Biển số xe (với xe đưa đón)", "Licence plate (for vehicles)") }
    var defaultStay: String { t("Thời gian lưu lại mặc định (phút)", "Default stay (minutes)") }
    var registrantName: String { t("Họ tên người đăng ký", "Registrant's name") }
    var registrantPhone: String { t("SĐT người đăng ký", "Registrant's phone") }
    var save: String { t("Lưu", "Save") }
    var register: String { t("Đăng ký", "Register") }
    var edit: String { t("Sửa", "Edit") }
    var delete: String { t("Xoá", "Delete") }
    var deleteConfirm: String { t("Xoá địa điểm này? Lịch sử quét vẫn được giữ để truy vết.", "Delete this place? Its scan history is kept for tracing.") }
    var poster: String { t("In mã QR (A4)", "Print poster (A4)") }
    var sheet: String { t("In nhiều mã nhỏ", "Print many small codes") }
    var downloadSVG: String { t("Tải SVG", "Download SVG") }
    var downloadPNG: String { t("Tải PNG", "Download PNG") }
    var rotate: String { t("Đổi mã QR", "Replace the QR code") }
    var rotateConfirm: String { t("Tạo mã mới? Các bản in cũ sẽ không dùng được nữa.", "Make a new code? Printed posters will stop working.") }
    var role: String { t("Vai trò", "Role") }
    var noPlaces: String { t("Chưa có địa điểm nào.", "No places yet.") }
    var results: String { t("kết quả", "results") }
    var checkinURL: String { t("Địa chỉ khai báo", "Check-in address") }
    var insidePlaces: String { t("Địa điểm bên trong", "Places inside") }
    var requests: String { t("Yêu cầu truy cập", "Access requests") }
    var accept: String { t("Chấp nhận", "Accept") }
    var decline: String { t("Từ chối", "Decline") }
    var placeCode: String { t("Mã địa điểm (trên mã QR)", "Place code (from its QR)") }
    var requestSent: String { t("Đã gửi yêu cầu. Chủ địa điểm cần chấp nhận.", "Request sent. The owner must accept it.") }
    var choose: String { t("— Chọn —", "— Choose —") }
    var back: String { t("Quay lại", "Back") }
    var privileged: String { t("Được xem đầy đủ thông tin cá nhân", "Staff may see full personal data") }
    var otherLanguage: String { t("English", "Tiếng Việt") }
    var posterTitle: String { t("QUÉT MÃ QR KHI RA VÀO", "SCAN THE QR CODE WHEN YOU ENTER AND LEAVE") }
    var posterSteps: [String] {
        language == .en
            ? ["Open your phone's camera or the Ravao app and point it at the code.",
               "Tap the link that appears and confirm your check-in.",
               "No smartphone? Show your personal QR, health-insurance card or ID card to the staff."]
            : ["Mở camera điện thoại hoặc ứng dụng Ravao, đưa vào mã QR.",
               "Bấm vào đường dẫn hiện ra và xác nhận khai báo.",
               "Không có điện thoại thông minh? Đưa mã QR cá nhân, thẻ BHYT hoặc CCCD cho nhân viên quét."]
    }
    var posterFooter: String { t("Mã QR do Ravao cấp cho địa điểm. Không quét mã dán đè hoặc không rõ nguồn gốc.",
                                 "This code was issued by Ravao for this place. Do not scan codes stuck over it.") }
    var print: String { t("In", "Print") }
    var roleNames: [PlaceRole: String] {
        [.owner: t("Chủ địa điểm", "Owner"), .manager: t("Người quản lý", "Manager"), .controller: t("Người kiểm soát vào ra", "Entry controller")]
    }
    var openStation: String { t("Mở trạm quét", "Open the scanning station") }
    var live: String { t("Trực tiếp hôm nay", "Live today") }
    var liveEntries: String { t("Lượt vào", "Entries") }
    var liveExits: String { t("Lượt ra", "Exits") }
    var livePeople: String { t("Số người", "People") }
    var livePresent: String { t("Đang có mặt", "Present now") }
    var liveEmpty: String { t("Chưa có lượt quét nào.", "No scans yet.") }
    var liveConnecting: String { t("Đang kết nối…", "Connecting…") }
    var liveDisconnected: String { t("Mất kết nối, đang thử lại…", "Disconnected, retrying…") }
    var directionIn: String { t("Vào", "In") }
    var directionOut: String { t("Ra", "Out") }
    var devices: String { t("Thiết bị quét tự động (kiosk)", "Unattended kiosks") }
    var devicesHelp: String { t("Mỗi kiosk có một mã riêng, chỉ quét được tại địa điểm này. Mã chỉ hiện một lần khi tạo.",
                                "Each kiosk has its own key that scans only at this place. The key is shown once, when created.") }
    var deviceName: String { t("Tên thiết bị", "Device name") }
    var createDevice: String { t("Tạo kiosk", "Create kiosk") }
    var revoke: String { t("Thu hồi", "Revoke") }
    var revokeConfirm: String { t("Thu hồi mã của thiết bị này? Kiosk sẽ ngừng quét ngay.", "Revoke this device's key? The kiosk stops scanning at once.") }
    var revoked: String { t("Đã thu hồi", "Revoked") }
    var lastSeen: String { t("Hoạt động lần cuối", "Last seen") }
    var never: String { t("chưa", "never") }
    var deviceCreated: String { t("Đã tạo kiosk", "Kiosk created") }
    var deviceKeyOnce: String { t("Sao chép mã hoặc mở đường dẫn dưới đây trên máy kiosk ngay bây giờ: mã sẽ không hiện lại.",
                                  "Copy the key, or open the link below on the kiosk now: it will not be shown again.") }
    var openKiosk: String { t("Mở trang kiosk", "Open the kiosk page") }
    var backToPlace: String { t("Quay lại địa điểm", "Back to the place") }
    var error: String { t("Có lỗi", "Error") }
    var home: String { t("Trang chủ", "Home") }
}
