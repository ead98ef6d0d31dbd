/// The catalogue of place types (seed 002 §1), with the default length of a stay used when nobody
/// scans out, and whether the type is *privileged* — its staff may see full personal data (seed 000 §2a).
public struct PlaceType: Sendable, Hashable, Codable {
    public let code: String
    public let nameVI: String
    public let nameEN: String
    public let privileged: Bool
    public let defaultStayMinutes: Int

    public func name(in language: Language) -> String { language == .en ? nameEN : nameVI }
}

extension PlaceType {
    /// Every type, in the order a picker shows them.
    public static let catalogue: [PlaceType] = [
        .init(code: "office", nameVI: "Trụ sở, văn phòng làm việc", nameEN: "Office", privileged: false, defaultStayMinutes: 480),
        .init(code: "industrial_park", nameVI: "Khu công nghiệp", nameEN: "Industrial park", privileged: false, defaultStayMinutes: 600),
        .init(code: "factory", nameVI: "Nhà máy, xí nghiệp, cơ sở sản xuất", nameEN: "Factory", privileged: false, defaultStayMinutes: 600),
        .init(code: "workshop", nameVI: "Phân xưởng", nameEN: "Workshop", privileged: false, defaultStayMinutes: 480),
        .init(code: "restaurant", nameVI: "Nhà hàng, quán ăn, cà phê", nameEN: "Restaurant / café", privileged: false, defaultStayMinutes: 90),
        .init(code: "bar", nameVI: "Quán bar, vũ trường", nameEN: "Bar / nightclub", privileged: false, defaultStayMinutes: 180),
        .init(code: "karaoke", nameVI: "Karaoke", nameEN: "Karaoke", privileged: false, defaultStayMinutes: 180),
        .init(code: "massage_beauty", nameVI: "Xoa bóp (massage), làm đẹp", nameEN: "Massage / beauty", privileged: false, defaultStayMinutes: 120),
        .init(code: "gym", nameVI: "Phòng tập thể dục, thể hình", nameEN: "Gym", privileged: false, defaultStayMinutes: 120),
        .init(code: "meeting", nameVI: "Cuộc họp, hội nghị, hội thảo, tập huấn", nameEN: "Meeting / conference", privileged: false, defaultStayMinutes: 240),
        .init(code: "hospital", nameVI: "Bệnh viện, cơ sở y tế", nameEN: "Hospital / clinic", privileged: true, defaultStayMinutes: 180),
        .init(code: "apartment", nameVI: "Chung cư", nameEN: "Apartment block", privileged: false, defaultStayMinutes: 60),
        .init(code: "school", nameVI: "Trường học", nameEN: "School", privileged: false, defaultStayMinutes: 480),
        .init(code: "station", nameVI: "Nhà ga, bến xe, bến tàu, nhà chờ", nameEN: "Station / terminal", privileged: false, defaultStayMinutes: 60),
        .init(code: "vehicle", nameVI: "Phương tiện giao thông (xe đưa đón)", nameEN: "Vehicle (shuttle bus)", privileged: false, defaultStayMinutes: 90),
        .init(code: "supermarket", nameVI: "Siêu thị, trung tâm thương mại", nameEN: "Supermarket / mall", privileged: false, defaultStayMinutes: 90),
        .init(code: "market", nameVI: "Chợ", nameEN: "Market", privileged: false, defaultStayMinutes: 60),
        .init(code: "shop", nameVI: "Cửa hàng", nameEN: "Shop", privileged: false, defaultStayMinutes: 30),
        .init(code: "wedding_funeral", nameVI: "Đám cưới, đám tang", nameEN: "Wedding / funeral", privileged: false, defaultStayMinutes: 180),
        .init(code: "tourist_site", nameVI: "Khu du lịch, di tích", nameEN: "Tourist site", privileged: false, defaultStayMinutes: 180),
        .init(code: "religious_site", nameVI: "Cơ sở tôn giáo, tín ngưỡng", nameEN: "Religious site", privileged: false, defaultStayMinutes: 120),
        .init(code: "checkpoint", nameVI: "Chốt kiểm soát dịch", nameEN: "Quarantine checkpoint", privileged: true, defaultStayMinutes: 15),
        .init(code: "public_space", nameVI: "Nơi công cộng (công viên, bãi biển)", nameEN: "Public space (park, beach)", privileged: false, defaultStayMinutes: 120),
        .init(code: "street_vendor", nameVI: "Bán hàng rong, mang đi", nameEN: "Street vendor / take-away", privileged: false, defaultStayMinutes: 15),
        .init(code: "other", nameVI: "Khác", nameEN: "Other", privileged: false, defaultStayMinutes: 60),
    ]

    private static let byCode: [String: PlaceType] = Dictionary(uniqueKeysWithValues: catalogue.map { ($0.code, $0) })

    public static func named(_ code: String) -> PlaceType? { byCode[code] }

    /// A stay longer than a day is not a visit any more; it also bounds tracing queries.
    public static let maximumStayMinutes = 24 * 60
}
