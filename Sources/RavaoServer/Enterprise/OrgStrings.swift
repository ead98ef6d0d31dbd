import RavaoCore
import RavaoStore

/// Interface text of the organisation pages (E1–E3), Vietnamese first, English on `?lang=en`.
/// Kept beside the pages rather than in `Strings.swift` so the enterprise feature stays in its own files.
struct OrgStrings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var orgs: String { t("Doanh nghiệp", "Organisations") }
    var newOrg: String { t("Tạo doanh nghiệp", "Create an organisation") }
    var orgName: String { t("Tên doanh nghiệp", "Organisation name") }
    var create: String { t("Tạo", "Create") }
    var noOrgs: String { t("Bạn chưa thuộc doanh nghiệp nào.", "You do not belong to any organisation yet.") }
    var board: String { t("Thống kê của Ban quản lý", "Board statistics") }
    var boardHelp: String { t("Tỷ lệ người lao động đã quét mã trong ngày của các doanh nghiệp đã chia sẻ với bạn (chỉ số liệu, không có tên).",
                              "Share of workers who checked in on the day, for each organisation shared with you (figures only, no names).") }
    var places: String { t("Địa điểm của doanh nghiệp", "The organisation's places") }
    var placesHelp: String { t("Cổng, phân xưởng, xe đưa đón… Các địa điểm nằm trong một địa điểm đã thêm cũng được tính.",
                               "Gates, workshops, shuttle buses… Places inside an added place count too.") }
    var addPlace: String { t("Thêm địa điểm (bạn phải là chủ địa điểm)", "Add a place (you must own it)") }
    var add: String { t("Thêm", "Add") }
    var remove: String { t("Bỏ", "Remove") }
    var inside: String { t("nằm trong địa điểm đã thêm", "inside an added place") }
    var members: String { t("Thành viên", "Members") }
    var membersHelp: String { t("Chủ và người quản lý xem được toàn bộ dữ liệu. Ban quản lý KCN (vd. số 0866276777) chỉ xem tỷ lệ phần trăm.",
                                "Owners and managers see all data. A park board (e.g. 0866276777) sees percentages only.") }
    var phone: String { t("Số điện thoại", "Phone number") }
    var role: String { t("Vai trò", "Role") }
    var share: String { t("Chia sẻ / thêm", "Share / add") }
    func roleName(_ role: OrgStore.Role) -> String {
        switch role {
        case .owner: t("Chủ doanh nghiệp", "Owner")
        case .manager: t("Người quản lý", "Manager")
        case .board: t("Ban quản lý (chỉ thống kê)", "Board (statistics only)")
        }
    }
    var roster: String { t("Danh sách người lao động", "Workforce roster") }
    var employees: String { t("người lao động", "employees") }
    var upload: String { t("Nhập từ tệp Excel (CSV)", "Import from Excel (CSV)") }
    var uploadHelp: String { t("Cột: Họ tên, Số điện thoại, CCCD, BHYT, Phòng ban, Mã nhân viên. Excel: Lưu thành \"CSV UTF-8\" hoặc \"Unicode Text\".",
                               "Columns: name, phone, CCCD, BHYT, department, employee number. In Excel save as \"CSV UTF-8\" or \"Unicode Text\".") }
    var file: String { t("Tệp", "File") }
    var mode: String { t("Cách nhập", "Mode") }
    var modeReplace: String { t("Thay toàn bộ danh sách (xóa người không có trong tệp)", "Replace the whole roster (removes people not in the file)") }
    var modeMerge: String { t("Gộp: cập nhật người đã có, thêm người mới, không xóa ai", "Merge: update people already there, add new ones, remove nobody") }
    var willAdd: String { t("thêm mới", "to add") }
    var willUpdate: String { t("cập nhật", "to update") }
    var willRemove: String { t("Những người sau sẽ bị XÓA khỏi danh sách khi thay thế:", "These people will be REMOVED from the roster by the replace:") }
    var removeNobody: String { t("Không ai bị xóa.", "Nobody is removed.") }
    var confirmReplace: String { t("Xác nhận thay thế và xóa", "Confirm: replace and remove") }
    var people: String { t("người", "people") }
    var modeAppend: String { t("Thêm vào danh sách hiện có", "Add to the current roster") }
    var preview: String { t("Xem trước", "Preview") }
    var confirmImport: String { t("Xác nhận nhập", "Confirm import") }
    var previewRows: String { t("dòng hợp lệ", "valid rows") }
    var previewErrors: String { t("lỗi — sửa tệp rồi tải lại; chưa nhập gì.", "problems — fix the file and upload it again; nothing was imported.") }
    var imported: String { t("Đã nhập", "Imported") }
    var row: String { t("Dòng", "Row") }
    var column: String { t("Cột", "Column") }
    var problem: String { t("Lỗi", "Problem") }
    var name: String { t("Họ tên", "Name") }
    var department: String { t("Phòng ban", "Department") }
    var employeeNumber: String { t("Mã nhân viên", "Employee number") }
    var noDepartment: String { t("(không có phòng ban)", "(no department)") }
    var addEmployee: String { t("Thêm người lao động", "Add an employee") }
    var editEmployee: String { t("Sửa thông tin người lao động", "Edit employee") }
    var save: String { t("Lưu", "Save") }
    var edit: String { t("Sửa", "Edit") }
    var delete: String { t("Xoá", "Delete") }
    var deleteConfirm: String { t("Xoá người này khỏi danh sách?", "Remove this person from the roster?") }
    var coverage: String { t("Tỷ lệ quét mã trong ngày", "Daily check-in coverage") }
    var date: String { t("Ngày", "Date") }
    var show: String { t("Xem", "Show") }
    var present: String { t("Đã quét", "Checked in") }
    var total: String { t("Tổng số", "Total") }
    var missing: String { t("Chưa quét mã", "Not checked in") }
    var noneMissing: String { t("Tất cả đã quét mã.", "Everyone has checked in.") }
    var export: String { t("Tải danh sách (CSV)", "Export (CSV)") }
    var last30: String { t("30 ngày gần nhất", "Last 30 days") }
    var buses: String { t("Xe đưa đón", "Shuttle buses") }
    var noBuses: String { t("Chưa có xe nào (loại \"Phương tiện giao thông\" hoặc có biển số).", "No buses yet (type \"Vehicle\" or with a plate).") }
    var trips: String { t("Chuyến", "Trips") }
    var trip: String { t("Chuyến", "Trip") }
    var noTrips: String { t("Không có lượt quét nào trong ngày.", "No scans on this day.") }
    var gap: String { t("Tách chuyến khi cách nhau (phút)", "New trip after a gap of (minutes)") }
    var riders: String { t("người", "riders") }
    var notOnRoster: String { t("không có trong danh sách", "not on the roster") }
    var statisticsOnly: String { t("Bạn được chia sẻ số liệu thống kê: chỉ xem tỷ lệ, không xem tên hay số điện thoại.",
                                   "This organisation shares statistics with you: percentages only, no names or phones.") }
    var settings: String { t("Cài đặt", "Settings") }
    var choosePlace: String { t("— Chọn địa điểm —", "— Choose a place —") }
}
