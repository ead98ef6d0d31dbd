import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// Scan history (S3) for the API, the page and the exports: one parser of filters, one authorisation,
/// one masking decision.
struct ScanHistoryService {
    let services: AppServices

    /// Rows read per database round trip while streaming an export or searching names.
    static let batchSize = 1000
    /// A name search reads at most this many scans per page before answering with what it found.
    static let nameSearchBudget = 20_000

    struct Query: Sendable {
        var filter: ScanHistoryStore.Filter
        /// Words that must occur in the name as the viewer sees it (masked or not).
        var nameTerms: [String]
        var cursor: ScanHistoryStore.Cursor?
        var limit: Int
        /// What was asked, for the history log and the links that keep the filters.
        var echo: [String: String]
    }

    struct Viewer: Sendable {
        let account: Account
        let place: Place
        let role: PlaceRole
        let disclosure: Disclosure
        /// Place names for the place and those inside it.
        let placeNames: [UUID: String]

        /// What this viewer may see of one scan: a privilege grant never unmasks scans taken before it
        /// (trust rule 2); an officer's reason is not bound to the grant.
        func disclosure(for row: ScanHistoryStore.Row) -> Disclosure {
            if case .full(let reason) = disclosure, reason == Disclosure.privilegedPlaceReason, !place.isPrivileged(at: row.scannedAt) {
                return .masked
            }
            return disclosure
        }

        /// The people of `rows` this viewer sees in full (for the unmasked-view log).
        func shownInFull(_ rows: [ScanHistoryStore.Row]) -> [UUID] {
            rows.filter { disclosure(for: $0).isFull }.map(\.personId)
        }
    }

    /// Anyone with a role may read scans; an entry controller only their own. Exports need a manager.
    func viewer(_ placeId: UUID, account: Account, forExport: Bool) async throws -> Viewer {
        let (place, role) = try await PlaceService(services: services).placeWithRole(placeId, account: account,
                                                                                     needs: { forExport ? $0 >= .manager : true })
        let disclosure = try await PrivacyGate(services: services).disclosure(place: place, role: role, account: account)
        return Viewer(account: account, place: place, role: role, disclosure: disclosure, placeNames: [place.id: place.name])
    }

    func parse(_ q: WebForm, viewer: Viewer, now: Int64) async throws -> (Query, Viewer) {
        var errors: [FieldError] = []
        var echo: [String: String] = [:]
        func time(_ key: String, endOfDay: Bool) -> Int64? {
            guard let text = q[key] else { return nil }
            echo[key] = text
            if let date = ISOTime.parse(text) { return Int64(date.timeIntervalSince1970) }
            if let local = LocalDateTime.parse(text) { return local }
            if let day = FormDate.parse(text) { return endOfDay ? day + 86_400 : day }
            errors.append(FieldError(key, en: "\(key) must be a date (2026-11-23), a local time (2026-11-23T07:00) or ISO 8601",
                                     vi: "\(key) phải là ngày (2026-11-23), giờ (2026-11-23T07:00) hoặc ISO 8601"))
            return nil
        }
        var from = time("from", endOfDay: false)
        let to = time("to", endOfDay: true)
        if let from, let to, from >= to { errors.append(FieldError("to", en: "to must be after from", vi: "thời điểm kết thúc phải sau thời điểm bắt đầu")) }
        var direction: CheckInDirection?
        if let text = q["direction"] {
            echo["direction"] = text
            direction = CheckInDirection(rawValue: text)
            if direction == nil { errors.append(FieldError("direction", en: "direction must be in or out", vi: "chiều phải là in hoặc out")) }
        }
        var kind: String?
        if let text = q["kind"] {
            echo["kind"] = text
            if PayloadKind(rawValue: text) == nil { errors.append(FieldError("kind", en: "unknown kind '\(text)'", vi: "loại mã '\(text)' không hợp lệ")) }
            kind = text
        }
        var phoneSuffix: String?
        var phonePrefix: String?
        var nameTerms: [String] = []
        if let text = q["q"] {
            echo["q"] = text
            let digits = text.filter { !$0.isWhitespace && $0 != "." && $0 != "-" }
            if digits.allSatisfy(\.isNumber) && digits.count >= 3 {
                if viewer.disclosure.isFull {
                    // A number: the end of the person's phone (stored as +84…, so a leading 0 is dropped).
                    phoneSuffix = String(digits.hasPrefix("0") && digits.count >= 9 ? String(digits.dropFirst()) : digits)
                    // Scans from before a grant stay masked, so a full search must not reach them.
                    if case .full(let reason) = viewer.disclosure, reason == Disclosure.privilegedPlaceReason, let since = viewer.place.privilegedSince {
                        from = max(from ?? since + 1, since + 1)
                    }
                } else {
                    // Trust rule 4: a masked phone shows its first 7 digits ("0916859***"); a search may
                    // match only those, or it would tell which hidden digits a visitor's phone has.
                    phonePrefix = Self.visiblePhonePrefix(digits)
                }
            } else {
                nameTerms = TextFolding.terms(text)
            }
        }
        var cursor: ScanHistoryStore.Cursor?
        if let text = q["cursor"] {
            cursor = Self.decodeCursor(text)
            if cursor == nil { errors.append(FieldError("cursor", en: "the cursor is not one this server gave", vi: "con trỏ trang không hợp lệ")) }
        }
        let limit = min(max(Int(q["limit"] ?? "") ?? 50, 1), 200)
        try errors.throwIfAny()
        var placeIds = [viewer.place.id]
        var names = viewer.placeNames
        if q["inside"] != "0" {
            placeIds = try await services.store.scanHistory.placeAndDescendants(viewer.place.id)
            for id in placeIds where names[id] == nil { names[id] = try await services.store.places.place(id: id)?.name ?? "" }
        } else {
            echo["inside"] = "0"
        }
        let filter = ScanHistoryStore.Filter(placeIds: placeIds, from: from, to: to, direction: direction, kind: kind,
                                             scannedBy: viewer.role == .controller ? viewer.account.id : nil, phoneSuffix: phoneSuffix,
                                             phonePrefix: phonePrefix)
        let widened = Viewer(account: viewer.account, place: viewer.place, role: viewer.role, disclosure: viewer.disclosure, placeNames: names)
        return (Query(filter: filter, nameTerms: nameTerms, cursor: cursor, limit: limit, echo: echo), widened)
    }

    /// The E.164 start of a phone from digits typed as its national form, cut to what a masked phone
    /// shows: "0916859123" and "0916859" both give "+84916859".
    static func visiblePhonePrefix(_ digits: String) -> String {
        let national = digits.hasPrefix("0") ? digits : "0" + digits
        return "+84" + national.prefix(PhoneNumber.visibleDigits).dropFirst()
    }

    static func encodeCursor(_ c: ScanHistoryStore.Cursor) -> String {
        Data("\(c.scannedAt)|\(c.id)".utf8).base64URLEncoded()
    }

    static func decodeCursor(_ text: String) -> ScanHistoryStore.Cursor? {
        guard let data = Data(base64URLEncoded: text), let s = String(data: data, encoding: .utf8) else { return nil }
        let parts = s.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let at = Int64(parts[0]), UUID(uuidString: String(parts[1])) != nil else { return nil }
        return .init(scannedAt: at, id: String(parts[1]))
    }

    func matches(_ row: ScanHistoryStore.Row, terms: [String], disclosure: Disclosure) -> Bool {
        guard !terms.isEmpty else { return true }
        // Only what the viewer can see is searched, so a search never reveals a masked name.
        let visible = TextFolding.fold(disclosure.name(row.fullName))
        return terms.allSatisfy { visible.contains($0) }
    }

    /// The count tiles of a query. A name search is applied to what the viewer can see, so it is counted
    /// here rather than in SQL (issue 18: the tiles ignored it); `complete` is false when the rows to
    /// read ran past the name-search budget, and the figures are then lower bounds.
    func counts(_ query: Query, viewer: Viewer) async throws -> (counts: ScanHistoryStore.Counts, complete: Bool) {
        let store = services.store.scanHistory
        guard !query.nameTerms.isEmpty else { return (try await store.counts(query.filter), true) }
        var scans = 0, entries = 0
        var people = Set<UUID>()
        var cursor: ScanHistoryStore.Cursor? = nil
        var read = 0
        while read < Self.nameSearchBudget {
            let batch = try await store.page(query.filter, after: cursor, limit: Self.batchSize)
            read += batch.count
            for row in batch where matches(row, terms: query.nameTerms, disclosure: viewer.disclosure(for: row)) {
                scans += 1
                if row.direction == "in" { entries += 1 }
                people.insert(row.personId)
            }
            guard batch.count == Self.batchSize, let last = batch.last else {
                return (.init(scans: scans, entries: entries, exits: scans - entries, people: people.count), true)
            }
            cursor = .init(scannedAt: last.scannedAt, id: last.id)
        }
        return (.init(scans: scans, entries: entries, exits: scans - entries, people: people.count), false)
    }

    /// One page of results and the cursor for the next, if there may be more.
    func page(_ query: Query, viewer: Viewer) async throws -> ([ScanHistoryStore.Row], next: ScanHistoryStore.Cursor?) {
        let store = services.store.scanHistory
        if query.nameTerms.isEmpty {
            let rows = try await store.page(query.filter, after: query.cursor, limit: query.limit + 1)
            let shown = Array(rows.prefix(query.limit))
            let next = rows.count > query.limit ? shown.last.map { ScanHistoryStore.Cursor(scannedAt: $0.scannedAt, id: $0.id) } : nil
            return (shown, next)
        }
        var found: [ScanHistoryStore.Row] = []
        var cursor = query.cursor
        var read = 0
        while read < Self.nameSearchBudget {
            let batch = try await store.page(query.filter, after: cursor, limit: Self.batchSize)
            read += batch.count
            for row in batch {
                cursor = .init(scannedAt: row.scannedAt, id: row.id)
                guard matches(row, terms: query.nameTerms, disclosure: viewer.disclosure(for: row)) else { continue }
                found.append(row)
                if found.count == query.limit { return (found, cursor) }
            }
            if batch.count < Self.batchSize { return (found, nil) }
        }
        // The budget ran out: answer what was found and let the client continue from here.
        return (found, cursor)
    }

    // MARK: Rendering a row

    struct Item: Encodable, Sendable {
        let id: String
        let placeId: String
        let placeName: String
        let name: String
        let phone: String
        let direction: String
        let kind: String
        let scannedAt: String
        let localTime: String
        let scannedByMe: Bool
        let viaDevice: Bool
    }

    func item(_ row: ScanHistoryStore.Row, viewer: Viewer) -> Item {
        Item(id: row.id, placeId: row.placeId.uuidString, placeName: viewer.placeNames[row.placeId] ?? "",
             name: viewer.disclosure(for: row).name(row.fullName), phone: viewer.disclosure(for: row).phone(row.phone), direction: row.direction, kind: row.kind,
             scannedAt: ExportTime.iso(row.scannedAt), localTime: ExportTime.local(row.scannedAt), scannedByMe: row.scannedBy == viewer.account.id,
             viaDevice: row.deviceId != nil)
    }

    // MARK: Exports

    enum Format: String { case csv, xlsx }

    static func columns(_ language: Language) -> [String] {
        language == .en
            ? ["Time (UTC+7)", "Time (ISO 8601)", "Place", "Name", "Phone", "Direction", "Kind", "Scanned by"]
            : ["Thời gian (UTC+7)", "Thời gian (ISO 8601)", "Địa điểm", "Họ tên", "Số điện thoại", "Chiều", "Loại mã", "Người quét"]
    }

    /// Column widths of the XLSX, in characters.
    static let columnWidths: [Double] = [17, 21, 28, 24, 15, 7, 34, 26]

    /// The row's cells: the kind named in the reader's language (issue 18), the time a real date cell
    /// in the XLSX and `HH:mm dd/MM/yyyy` in the CSV.
    static func cells(_ item: Item, scannedAt: Int64, scannedBy: String, language: Language) -> [XLSXStreamWriter.Cell] {
        let direction = item.direction == "in" ? (language == .en ? "In" : "Vào") : (language == .en ? "Out" : "Ra")
        let kind = PayloadKind(rawValue: item.kind).map { language == .en ? $0.displayName : $0.displayNameVI } ?? item.kind
        return [.localTime(scannedAt), .text(item.scannedAt), .text(item.placeName), .text(item.name), .text(item.phone), .text(direction),
                .text(kind), .text(scannedBy)]
    }

    static func text(_ cells: [XLSXStreamWriter.Cell]) -> [String] {
        cells.map {
            switch $0 {
            case .text(let text): text
            case .localTime(let seconds): ExportTime.local(seconds)
            }
        }
    }

    /// Who made each scan, as the exporting manager may see it: a kiosk by its name; an account by its
    /// full number when it is the viewer or holds a role at the place now (the place page lists those
    /// anyway), masked otherwise (a former guard's number is not the manager's to keep).
    struct Scanners {
        let services: AppServices
        let viewer: Viewer
        let language: Language
        var known: [UUID: String] = [:]

        static func load(services: AppServices, viewer: Viewer, language: Language) async throws -> Scanners {
            var scanners = Scanners(services: services, viewer: viewer, language: language)
            let now = services.time.seconds()
            for placeId in viewer.placeNames.keys {
                for device in try await services.store.devices.devices(placeId: placeId) {
                    scanners.known[device.id] = "Kiosk: " + device.name
                }
                for member in try await services.store.sharing.members(placeId: placeId, now: now) {
                    scanners.known[member.accountId] = member.phone.national
                }
            }
            scanners.known[viewer.account.id] = viewer.account.phone.national
            return scanners
        }

        mutating func name(_ row: ScanHistoryStore.Row) async throws -> String {
            if let device = row.deviceId { return known[device] ?? "Kiosk" }
            // At the poster nobody scans: the person checked in by themselves.
            let selfCheckIn = row.kind == PayloadKind.poster.rawValue || row.kind == PayloadKind.guest.rawValue
            guard let account = row.scannedBy, !selfCheckIn else { return language == .en ? "Self check-in at the poster" : "Tự khai báo tại mã địa điểm" }
            if let name = known[account] { return name }
            let shown = try await services.store.accounts.account(id: account)?.phone.masked ?? "—"
            known[account] = shown
            return shown
        }
    }

    /// Streams every matching scan, page by page from the database, into the response body: memory
    /// stays at one batch however large the range is.
    func export(_ query: Query, viewer: Viewer, format: Format, language: Language, audit: AuditSource) async -> Response {
        await HistoryRecorder(services: services).record(viewer.place.id, .exported, audit: audit,
                                                         details: query.echo.merging(["format": format.rawValue]) { a, _ in a })
        let service = self
        let gate = PrivacyGate(services: services)
        let stamp = LocalTime.format(services.time.seconds()).split(separator: " ").last.map { $0.replacingOccurrences(of: "/", with: "-") } ?? "export"
        let filename = "ravao-scans-\(viewer.place.code)-\(stamp).\(format.rawValue)"
        let contentType = format == .csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        let logger = services.logger
        return Response(status: .ok, headers: [.contentType: contentType, .contentDisposition: "attachment; filename=\"\(filename)\"",
                                               .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"],
                        body: .init { writer in
            var xlsx = XLSXStreamWriter(sheetName: language == .en ? "Scans" : "Lượt quét", columnWidths: Self.columnWidths, filter: true)
            var scanners = try await Scanners.load(services: service.services, viewer: viewer, language: language)
            var head: [UInt8]
            switch format {
            case .csv: head = CSVWriter.byteOrderMark + Array(CSVWriter.line(Self.columns(language)).utf8)
            case .xlsx: head = xlsx.start() + xlsx.row(Self.columns(language))
            }
            try await writer.write(ByteBuffer(bytes: head))
            var cursor: ScanHistoryStore.Cursor? = nil
            var rows = 0
            while true {
                let batch = try await service.services.store.scanHistory.page(query.filter, after: cursor, limit: Self.batchSize)
                var chunk: [UInt8] = []
                var shown: [ScanHistoryStore.Row] = []
                for row in batch where service.matches(row, terms: query.nameTerms, disclosure: viewer.disclosure(for: row)) {
                    let cells = Self.cells(service.item(row, viewer: viewer), scannedAt: row.scannedAt, scannedBy: try await scanners.name(row), language: language)
                    switch format {
                    case .csv: chunk += Array(CSVWriter.line(Self.text(cells)).utf8)
                    case .xlsx: chunk += xlsx.row(cells)
                    }
                    shown.append(row)
                }
                try await gate.logViews(viewer.shownInFull(shown), disclosure: viewer.disclosure, viewer: viewer.account.id, place: viewer.place.id)
                rows += shown.count
                if !chunk.isEmpty { try await writer.write(ByteBuffer(bytes: chunk)) }
                guard batch.count == Self.batchSize, let last = batch.last else { break }
                cursor = .init(scannedAt: last.scannedAt, id: last.id)
            }
            if format == .xlsx { try await writer.write(ByteBuffer(bytes: xlsx.finish())) }
            try await writer.finish(nil)
            logger.info("export streamed", metadata: ["place": "\(viewer.place.id)", "rows": "\(rows)", "format": "\(format.rawValue)"])
        })
    }
}

/// `2026-11-23T07:00` as a browser's datetime-local input sends it: Vietnam time.
enum LocalDateTime {
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, let day = FormDate.parse(String(parts[0])) else { return nil }
        let hm = parts[1].split(separator: ":").compactMap { Int($0) }
        guard hm.count >= 2, (0...23).contains(hm[0]), (0...59).contains(hm[1]) else { return nil }
        let seconds = hm.count > 2 ? min(max(hm[2], 0), 59) : 0
        return day + Int64(hm[0] * 3600 + hm[1] * 60 + seconds)
    }
}
