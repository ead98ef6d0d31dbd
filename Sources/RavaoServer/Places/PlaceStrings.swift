/// Places, posters and access requests (L1–L4).
extension Strings {
    var myPlaces: String { t("Địa điểm của tôi", "My places") }
    var newPlace: String { t("Đăng ký địa điểm", "Register a place") }
    var addByCode: String { t("Thêm địa điểm bằng mã", "Add a place by its code") }
    var searchHint: String { t("Tên, địa chỉ, phường/xã, tỉnh, loại, người đăng ký, SĐT chủ", "Name, address, ward, province, type, registrant, owner phone") }
    var name: String { t("Tên địa điểm", "Place name") }
    var type: String { t("Loại địa điểm", "Type") }
    var parent: String { t("Nằm trong địa điểm", "Inside place") }
    var noParent: String { t("— Không —", "— None —") }
    var plate: String { t("Biển số xe (với xe đưa đón)", "Licence plate (for vehicles)") }
    var defaultStay: String { t("Thời gian lưu lại mặc định (phút)", "Default stay (minutes)") }
    var registrantName: String { t("Họ tên người đăng ký", "Registrant's name") }
    var registrantPhone: String { t("SĐT người đăng ký", "Registrant's phone") }
    var register: String { t("Đăng ký", "Register") }
    var deleteConfirm: String { t("Xoá địa điểm này? Lịch sử quét vẫn được giữ để truy vết.", "Delete this place? Its scan history is kept for tracing.") }
    var poster: String { t("In mã QR (A4)", "Print poster (A4)") }
    var sheet: String { t("In nhiều mã nhỏ", "Print many small codes") }
    var downloadSVG: String { t("Tải SVG", "Download SVG") }
    var downloadPNG: String { t("Tải PNG", "Download PNG") }
    var rotate: String { t("Đổi mã QR", "Replace the QR code") }
    var rotateConfirm: String { t("Tạo mã mới? Các bản in cũ sẽ không dùng được nữa.", "Make a new code? Printed posters will stop working.") }
    var noPlaces: String { t("Chưa có địa điểm nào.", "No places yet.") }
    var checkinURL: String { t("Địa chỉ khai báo", "Check-in address") }
    var insidePlaces: String { t("Địa điểm bên trong", "Places inside") }
    var requests: String { t("Yêu cầu truy cập", "Access requests") }
    var accept: String { t("Chấp nhận", "Accept") }
    var decline: String { t("Từ chối", "Decline") }
    var placeCode: String { t("Mã địa điểm (trên mã QR)", "Place code (from its QR)") }
    var requestSent: String { t("Đã gửi yêu cầu. Chủ địa điểm cần chấp nhận.", "Request sent. The owner must accept it.") }
    var privileged: String { t("Được xem đầy đủ thông tin cá nhân", "Staff may see full personal data") }
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
    var backToPlace: String { t("Quay lại địa điểm", "Back to the place") }
}
