import RavaoCore

/// The officers' pages in Vietnamese (default) and English; kept beside the pages so the shared
/// `Strings` table stays small.
struct AuthorityStrings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var dashboard: String { t("Thống kê", "Dashboard") }
    var privilege: String { t("Quyền xem đầy đủ", "Full-data grants") }
    var privilegeIntro: String { t("Nhân viên bệnh viện, cơ sở y tế hoặc chốt kiểm dịch chỉ xem được họ tên, số điện thoại đầy đủ khi cơ quan y tế cho phép, và chỉ với lượt quét từ lúc cho phép. Chọn loại địa điểm không tự cấp quyền này.",
                                  "Staff of a hospital, clinic or quarantine checkpoint see full names and phone numbers only after a health officer grants it, and only for scans from then on. Choosing a place type never grants it.") }
    var posterCodeOrLink: String { t("Tên địa điểm, mã hoặc đường dẫn trên áp phích", "The place's name, code or the poster's link") }
    var find: String { t("Tìm", "Find") }
    var placeNotFound: String { t("Không tìm thấy địa điểm này trong địa bàn của bạn.", "No such place in your jurisdiction.") }
    var notEligible: String { t("Chỉ bệnh viện, cơ sở y tế và chốt kiểm dịch mới được cấp quyền này.", "Only hospitals, clinics and quarantine checkpoints may be granted this.") }
    var notPrivileged: String { t("Nhân viên chỉ xem thông tin đã che.", "Staff see masked data only.") }
    var privilegedSince: String { t("Được xem đầy đủ từ", "Full data since") }
    var privilegeNote: String { t("Ghi chú (căn cứ cho phép)", "Note (the grounds for it)") }
    var grantPrivilege: String { t("Cho phép xem đầy đủ", "Grant full data") }
    var revokePrivilege: String { t("Thu hồi quyền xem đầy đủ", "Revoke full data") }
    var privilegeGranted: String { t("Đã cho phép.", "Granted.") }
    var privilegeRevoked: String { t("Đã thu hồi.", "Revoked.") }
    var grantedAt: String { t("Cho phép lúc", "Granted") }
    var revokedAt: String { t("Thu hồi lúc", "Revoked") }
    var tracing: String { t("Truy vết", "Tracing") }
    var risk: String { t("Danh sách nguy cơ", "Risk list") }
    var alert: String { t("Cảnh báo địa điểm", "Place alert") }
    var zones: String { t("Vùng dịch", "Epidemic zones") }
    var officers: String { t("Cán bộ", "Officers") }
    var jurisdiction: String { t("Địa bàn", "Jurisdiction") }
    var from: String { t("Từ", "From") }
    var to: String { t("Đến", "To") }
    var placeType: String { t("Loại địa điểm", "Place type") }
    var allTypes: String { t("Tất cả loại địa điểm", "All place types") }
    var show: String { t("Xem", "Show") }
    var places: String { t("địa điểm đã đăng ký", "places registered") }
    var activePlaces: String { t("địa điểm có lượt quét", "places with scans") }
    var scans: String { t("lượt quét", "scans") }
    var people: String { t("người", "people") }
    var perDay: String { t("Theo ngày", "Per day") }
    var leftScale: String { t("thang bên trái", "left scale") }
    var rightScale: String { t("thang bên phải", "right scale") }
    var subUnits: String { t("Đơn vị trực thuộc", "Units below") }
    var csvUnitCode: String { t("Mã đơn vị", "Unit code") }
    var csvPlaces: String { t("Địa điểm đã đăng ký", "Places registered") }
    var csvActivePlaces: String { t("Địa điểm có lượt quét", "Places with scans") }
    var csvDate: String { t("Ngày", "Date") }
    var placesOfUnit: String { t("Các địa điểm trong đơn vị", "Places in this unit") }
    var placeName: String { t("Tên địa điểm", "Place") }
    var placeAddress: String { t("Địa chỉ", "Address") }
    var scansColumn: String { t("Lượt quét", "Scans") }
    var peopleColumn: String { t("Số người", "People") }
    var breadcrumb: String { t("Đường dẫn", "Breadcrumb") }
    func shownFirst(_ n: Int) -> String { t("Hiển thị \(n) địa điểm có nhiều lượt quét nhất.", "Showing the \(n) busiest places.") }
    var unit: String { t("Đơn vị", "Unit") }
    var exportCSV: String { t("Xuất Excel (CSV)", "Export (CSV)") }
    var phone: String { t("Số điện thoại", "Phone") }
    var scanText: String { t("Nội dung quét thẻ/mã QR", "Scanned card or QR text") }
    var buffer: String { t("Khoảng đệm (phút)", "Buffer (minutes)") }
    var depth: String { t("Cấp truy vết", "Depth") }
    var trace: String { t("Truy vết", "Trace") }
    var traceHelp: String { t("Tìm ca bệnh theo số điện thoại, CCCD hoặc quét thẻ; chọn khoảng thời gian.",
                              "Find the case by phone, CCCD or a scan of their card; choose the window.") }
    var timeline: String { t("Lịch trình", "Timeline") }
    var noStays: String { t("Không có lượt ra vào nào trong khoảng thời gian này.", "No visits in this window.") }
    var contacts: String { t("Người tiếp xúc", "Contacts") }
    var level: String { t("Cấp", "Level") }
    var name: String { t("Họ tên", "Name") }
    var place: String { t("Địa điểm", "Place") }
    var overlap: String { t("Thời gian trùng", "Overlap") }
    var sourceStay: String { t("Lượt có mặt của nguồn lây", "Source stay") }
    var notify: String { t("Gửi thông báo (SMS và trong ứng dụng) cho người tiếp xúc và chủ địa điểm", "Notify contacts (SMS and in-app) and place owners") }
    var markContacts: String { t("Đánh dấu F1/F2", "Mark as F1/F2") }
    func marked(_ people: Int, _ texts: Int) -> String {
        t("Đã đánh dấu \(people) người, gửi \(texts) tin nhắn.", "Marked \(people) people, sent \(texts) texts.")
    }
    var back: String { t("Quay lại", "Back") }
    var unitCode: String { t("Mã đơn vị hành chính", "Unit code") }
    var reasonLabel: String { t("Lý do", "Reasons") }
    var allReasons: String { t("Mọi lý do", "All reasons") }
    func reason(_ code: String) -> String {
        switch code {
        case "declaration": t("Khai báo bất thường", "Abnormal declaration")
        case "contact": t("Tiếp xúc ca bệnh", "Contact with a case")
        case "zone": t("Từ vùng dịch", "From an epidemic zone")
        case "unvaccinated": t("Chưa tiêm vắc xin", "Unvaccinated")
        case "marked": t("Đã phân loại F", "Marked F0/F1/F2")
        default: code
        }
    }
    var ward: String { t("Phường/xã", "Ward") }
    var placeId: String { t("Mã địa điểm (ID)", "Place id") }
    var lift: String { t("Gỡ bỏ", "Lift") }
    var inForce: String { t("Đang áp dụng", "In force") }
    var zoneLevel: String { t("Cấp độ dịch", "Level") }
    var declareZone: String { t("Công bố vùng dịch", "Declare zone") }
    var functions: String { t("Chức năng", "Functions") }
    func function(_ f: OfficerFunction) -> String {
        switch f {
        case .statistics: t("Thống kê", "Statistics")
        case .health: t("Y tế, truy vết", "Health, tracing")
        case .zones: t("Khoanh vùng dịch", "Zones")
        }
    }
    var createOfficer: String { t("Tạo tài khoản cán bộ", "Create officer") }
    var officerHelp: String { t("Cấp tài khoản cho cán bộ đơn vị cấp dưới; tài khoản được tạo nếu số điện thoại chưa đăng ký.",
                                "Give an officer account to someone in a unit below yours; the account is created if the number is new.") }
}
