/// Kiosk devices on a place page (C5).
extension Strings {
    var devices: String { t("Thiết bị quét tự động (kiosk)", "Unattended kiosks") }
    var devicesHelp: String { t("Mỗi kiosk có một mã riêng, chỉ quét được tại địa điểm này. Mã chỉ hiện một lần khi tạo.",
                                "Each kiosk has its own key that scans only at this place. The key is shown once, when created.") }
    var deviceName: String { t("Tên thiết bị", "Device name") }
    var createDevice: String { t("Tạo kiosk", "Create kiosk") }
    var revokeConfirm: String { t("Thu hồi mã của thiết bị này? Kiosk sẽ ngừng quét ngay.", "Revoke this device's key? The kiosk stops scanning at once.") }
    var revoked: String { t("Đã thu hồi", "Revoked") }
    var lastSeen: String { t("Hoạt động lần cuối", "Last seen") }
    var never: String { t("chưa", "never") }
    var deviceCreated: String { t("Đã tạo kiosk", "Kiosk created") }
    var deviceKeyOnce: String { t("Sao chép mã hoặc mở đường dẫn dưới đây trên máy kiosk ngay bây giờ: mã sẽ không hiện lại.",
                                  "Copy the key, or open the link below on the kiosk now: it will not be shown again.") }
    var openKiosk: String { t("Mở trang kiosk", "Open the kiosk page") }
}
