/// The station link and the live panel on a place page (C2, C6).
extension Strings {
    var openStation: String { t("Mở trạm quét", "Open the scanning station") }
    var live: String { t("Trực tiếp hôm nay", "Live today") }
    var liveEntries: String { t("Lượt vào", "Entries") }
    var liveExits: String { t("Lượt ra", "Exits") }
    var livePeople: String { t("Số người", "People") }
    var livePresent: String { t("Đang có mặt", "Present now") }
    var liveEmpty: String { t("Chưa có lượt quét nào.", "No scans yet.") }
    var liveConnecting: String { t("Đang kết nối…", "Connecting…") }
    var liveDisconnected: String { t("Mất kết nối, đang thử lại…", "Disconnected, retrying…") }
}
