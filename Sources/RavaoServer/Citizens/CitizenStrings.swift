import RavaoCore

/// The citizen pages' text in Vietnamese (default) and English.
struct CitizenStrings: Sendable {
    let language: Language
    init(_ language: Language) { self.language = language }
    private func t(_ vi: String, _ en: String) -> String { language == .en ? en : vi }

    var me: String { t("Cá nhân", "Me") }
    var myQR: String { t("Mã QR cá nhân", "My QR") }
    var noName: String { t("Chưa có họ tên — cập nhật hồ sơ", "No name yet — fill in your profile") }
    var dependent: String { t("Khai báo hộ", "Dependent") }
    var showAtGate: String { t("Xuất trình mã này khi ra vào; mã vẫn hiện khi không có mạng.", "Show this code at the gate; it stays available offline.") }
    /// The word under the QR, in the colour of its frame (issue 17).
    func toneName(_ tone: String) -> String {
        switch tone {
        case "alert": t("Cảnh báo dịch tễ", "Epidemic alert")
        case "abnormal": t("Bất thường", "Abnormal")
        case "normal": t("Bình thường", "Normal")
        default: t("Chưa khai báo y tế", "No health declaration")
        }
    }
    var scanPlace: String { t("Quét mã QR địa điểm", "Scan a place's QR") }
    var scanPlaceHint: String { t("Hướng camera vào mã QR dán tại cửa địa điểm.", "Point the camera at the QR poster at the place's door.") }
    var stopScanning: String { t("Dừng quét", "Stop scanning") }
    var notPlaceQR: String { t("Mã này không phải mã QR địa điểm của Ravao — hãy quét mã dán tại cửa.",
                               "This is not a Ravao place QR — scan the poster at the door.") }
    var cameraFailed: String { t("Không mở được camera. Bạn vẫn có thể quét mã bằng ứng dụng camera của điện thoại.",
                                 "The camera could not be opened. You can still scan the poster with the phone's camera app.") }
    var declare: String { t("Khai báo y tế", "Health declaration") }
    var profile: String { t("Hồ sơ", "Profile") }
    var vaccinationsAndTests: String { t("Tiêm chủng và xét nghiệm", "Vaccinations and tests") }
    var history: String { t("Lịch sử ra vào", "My check-ins") }
    var printCard: String { t("In thẻ QR", "Print QR card") }
    var dependents: String { t("Người khai báo hộ", "Dependents") }
    var reissue: String { t("Cấp lại mã QR", "Re-issue QR") }
    var reissueConfirm: String { t("Mã QR cũ (kể cả thẻ đã in) sẽ không dùng được nữa. Tiếp tục?", "The old QR (printed cards too) will stop working. Continue?") }
    var statusUnavailable: String { t("Chưa đọc được tình trạng sức khỏe.", "The health status could not be read.") }
    var declaredAt: String { t("Khai báo lúc", "Declared at") }
    var exposureTitle: String { t("Bạn có trong danh sách truy vết", "You were listed by contact tracing") }
    var exposureAdvice: String { t("Hãy theo dõi sức khỏe, hạn chế tiếp xúc và liên hệ trạm y tế phường/xã.", "Watch your health, limit contacts and call your ward health station.") }
    var placeUnknown: String { t("Địa điểm", "A place") }
    var seen: String { t("Đã xem", "Seen") }
    var exposureStays: String { t("Cảnh báo do cơ quan y tế ghi nhận vẫn hiện khi quét mã cho đến khi hết hạn hoặc được cơ quan y tế gỡ bỏ.",
                                  "An alert recorded by health officers stays in your status at every scan until it expires or health officers clear it.") }
    var askReview: String { t("Đề nghị xem xét lại", "Ask for a review") }
    var reviewNote: String { t("Ghi chú gửi cơ quan y tế", "Note for the health officers") }
    var sendReview: String { t("Gửi đề nghị", "Send the request") }
    var reviewRequested: String { t("Đã gửi đề nghị xem xét lại.", "Review requested.") }
    var handoverOffers: String { t("Có hồ sơ được chuyển cho bạn", "Profiles handed over to you") }
    var accept: String { t("Nhận hồ sơ", "Accept") }
    var addDependent: String { t("Thêm người khai báo hộ", "Add a dependent") }
    var dependentsIntro: String { t("Khai báo cho trẻ em, người cao tuổi không có điện thoại: mỗi người có hồ sơ, thẻ QR và tờ khai riêng.",
                                    "Declare for children and elderly people without phones: each has a profile, a QR card and declarations of their own.") }
    var noDependents: String { t("Chưa có ai.", "No one yet.") }
    var handoverTo: String { t("Chuyển cho SĐT", "Hand over to phone") }
    var handover: String { t("Chuyển", "Hand over") }
    var handoverPending: String { t("Đang chờ nhận:", "Waiting for") }
    var fullName: String { t("Họ và tên", "Full name") }
    var birthDate: String { t("Ngày sinh", "Date of birth") }
    var genderLabel: String { t("Giới tính", "Gender") }
    func gender(_ code: String) -> String {
        switch code { case "male": t("Nam", "Male"); case "female": t("Nữ", "Female"); default: t("Khác", "Other") }
    }
    var cccd: String { t("Số CCCD (12 số)", "Citizen ID (CCCD, 12 digits)") }
    var bhyt: String { t("Mã thẻ BHYT", "Health-insurance number (BHYT)") }
    var linkExplanation: String { t("Số CCCD/BHYT bạn nhập chỉ được lưu vào hồ sơ; các lần quét thẻ trước đây với số này chỉ được gộp vào hồ sơ khi bạn chứng minh thẻ bằng mã QR trên thẻ (bên dưới).",
                                    "A CCCD or BHYT number you type is only saved on the profile; card scans already recorded for it join the profile only when you prove the card with its own QR (below).") }
    var unproven: String { t("chưa xác minh", "unverified") }
    var proveCard: String { t("Chứng minh thẻ CCCD/BHYT", "Prove a CCCD/BHYT card") }
    var proveCardExplanation: String { t("Quét hoặc dán toàn bộ nội dung mã QR trên thẻ. Mọi thông tin phải khớp với thẻ đã được quét tại điểm kiểm soát; khi đó các lần ra vào đã quét bằng thẻ được gộp vào hồ sơ. Tối đa 5 lần sai mỗi ngày.",
                                         "Scan or paste the whole QR text of the card. Every field must match the card as it was scanned at a gate; then the check-ins recorded with the card join this profile. At most 5 wrong attempts a day.") }
    var cardQRText: String { t("Nội dung mã QR trên thẻ", "The card's QR text") }
    var proveCardButton: String { t("Chứng minh thẻ", "Prove the card") }
    func cardClaimed(_ moved: Int) -> String {
        t("Đã xác minh thẻ; \(moved) lượt ra vào được gộp vào hồ sơ.", "Card proven; \(moved) check-ins joined this profile.")
    }
    var symptomsQuestion: String { t("Trong 14 ngày qua, có triệu chứng nào sau đây?", "Any of these symptoms now?") }
    var contactQuestion: String { t("Có tiếp xúc với ca bệnh hoặc nghi ngờ mắc bệnh?", "Contact with a case or suspected case?") }
    var visitedQuestion: String { t("Nơi đã đến trong 14 ngày (phường/xã)", "Wards visited in the last 14 days") }
    var moreWards: String { t("Phường/xã khác đã đến", "Other wards visited") }
    var declarationHonesty: String { t("Khai báo thông tin sai là vi phạm pháp luật.", "False declarations are against the law.") }
    var yes: String { t("Có", "Yes") }
    var no: String { t("Không", "No") }
    var send: String { t("Gửi tờ khai", "Send declaration") }
    var vaccinations: String { t("Tiêm chủng", "Vaccinations") }
    var tests: String { t("Xét nghiệm", "Tests") }
    var vaccine: String { t("Vắc xin", "Vaccine") }
    var date: String { t("Ngày", "Date") }
    var add: String { t("Thêm", "Add") }
    var testKind: String { t("Loại", "Kind") }
    var result: String { t("Kết quả", "Result") }
    func kindName(_ kind: String) -> String { kind == "pcr" ? "PCR" : t("Test nhanh", "Rapid") }
    func resultName(_ result: String) -> String { result == "positive" ? t("Dương tính", "Positive") : t("Âm tính", "Negative") }
    var verified: String { t("Đã xác nhận", "Verified") }
    var selfDeclared: String { t("Tự khai", "Self-declared") }
    var source: String { t("Nguồn", "Source") }
    var delete: String { t("Xoá", "Delete") }
    func deleteConfirm(_ what: String) -> String { t("Xoá \(what)?", "Delete \(what)?") }
    var selfDeclaredNote: String { t("Thông tin tự khai được ghi là \"tự khai\"; cơ sở y tế ghi nhận sẽ được đánh dấu đã xác nhận.",
                                     "What you enter is shown as self-declared; records from a health facility are marked verified.") }
    var older: String { t("Cũ hơn", "Older") }
    var noHistory: String { t("Chưa có lượt ra vào nào.", "No check-ins yet.") }
    var time: String { t("Thời gian", "Time") }
    var place: String { t("Địa điểm", "Place") }
    var direction: String { t("Chiều", "Direction") }
    var how: String { t("Cách ghi nhận", "Recorded by") }
    var entry: String { t("Vào", "In") }
    var exit: String { t("Ra", "Out") }
    var scannedByStaff: String { t("Quét tại cổng", "Scanned at the gate") }
    var selfCheckIn: String { t("Tự quét mã địa điểm", "Own check-in") }
    var whoSaw: String { t("Ai đã xem thông tin của bạn", "Who has seen your data") }
    var whoSawIntro: String { t("Mỗi lần một địa điểm thấy tên (che một phần) và tình trạng sức khỏe của bạn khi quét mã hoặc khi bạn khai báo, và mỗi lần cán bộ, cơ sở y tế hoặc chốt kiểm soát xem họ tên, số điện thoại đầy đủ của bạn, đều được ghi lại ở đây.",
                                "Every time a place sees your (masked) name and health status, when it scans you or you check in, and every time an officer, hospital or checkpoint sees your full name or phone number, it is recorded here.") }
    var nobodySaw: String { t("Chưa có ai xem thông tin của bạn.", "Nobody has seen your data.") }
    /// A disclosure's reason in words: scans name how the person was identified; other reasons are the officer's text.
    func disclosureReason(_ reason: String) -> String {
        if reason == "check_in" { return t("Bạn tự khai báo tại địa điểm (địa điểm thấy tên đã che)", "You checked in (the place sees your masked name)") }
        switch reason {
        case "officer:tracing": return t("Cán bộ y tế truy vết (họ tên, số điện thoại, địa chỉ đầy đủ)", "A health officer's contact trace (full name, phone, address)")
        case "officer:risk_list": return t("Cán bộ y tế xem danh sách nguy cơ (họ tên đầy đủ)", "A health officer's risk list (full name)")
        case "officer:place_alert": return t("Cán bộ y tế cảnh báo địa điểm bạn đã đến (họ tên đầy đủ)", "A health officer's alert for a place you visited (full name)")
        default: break
        }
        if reason.hasPrefix("scan:"), let kind = PayloadKind(rawValue: String(reason.dropFirst(5))) {
            return t("Quét tại cửa: \(kind.displayNameVI) (tên đã che và tình trạng sức khỏe)", "Scanned at the door: \(kind.displayName) (masked name and health status)")
        }
        return reason
    }
    var viewer: String { t("Người xem", "Viewer") }
    var reason: String { t("Lý do", "Reason") }
    var system: String { t("Hệ thống", "System") }
    var cardTitle: String { t("Thẻ QR cá nhân", "Personal QR card") }
    var issued: String { t("Cấp ngày", "Issued") }
    var print: String { t("In", "Print") }
    var back: String { t("Quay lại", "Back") }
}
