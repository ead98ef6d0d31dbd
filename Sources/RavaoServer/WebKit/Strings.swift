import RavaoCore

/// The interface text in Vietnamese (default) and English (P3). Every entry takes both languages,
/// so a missing translation is a compile error rather than a blank on a page.
struct Strings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }

    /// Every feature's strings extend this table (`SignIn/SignInStrings.swift`, `Places/PlaceStrings.swift`…);
    /// what stays here is shared by several features.
    func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var appName: String { "Ravao" }
    var tagline: String { t("Kiểm soát ra vào bằng mã QR", "QR entry control") }
    var signIn: String { t("Đăng nhập", "Sign in") }
    var signOut: String { t("Đăng xuất", "Sign out") }
    var phone: String { t("Số điện thoại", "Phone number") }
    var code: String { t("Mã xác thực (6 số)", "Code (6 digits)") }
    var confirm: String { t("Xác nhận", "Confirm") }
    var search: String { t("Tìm kiếm", "Search") }
    var province: String { t("Tỉnh/Thành phố", "Province") }
    var district: String { t("Quận/Huyện", "District") }
    var ward: String { t("Phường/Xã", "Ward") }
    var address: String { t("Số nhà, đường", "Street address") }
    var save: String { t("Lưu", "Save") }
    var edit: String { t("Sửa", "Edit") }
    var delete: String { t("Xoá", "Delete") }
    var role: String { t("Vai trò", "Role") }
    var results: String { t("kết quả", "results") }
    var choose: String { t("— Chọn —", "— Choose —") }
    var all: String { t("Tất cả", "All") }
    var back: String { t("Quay lại", "Back") }
    var otherLanguage: String { t("English", "Tiếng Việt") }
    var print: String { t("In", "Print") }
    var roleNames: [PlaceRole: String] {
        [.owner: t("Chủ địa điểm", "Owner"), .manager: t("Người quản lý", "Manager"), .controller: t("Người kiểm soát vào ra", "Entry controller")]
    }
    var directionIn: String { t("Vào", "In") }
    var directionOut: String { t("Ra", "Out") }
    var revoke: String { t("Thu hồi", "Revoke") }
    var error: String { t("Có lỗi", "Error") }
    var home: String { t("Trang chủ", "Home") }
}
