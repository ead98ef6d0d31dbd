import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `POST /api/v1/scans`: a staff station or a kiosk records what it scanned at a place (C2, C3, C5, C7).
struct ScansAPI {
    let services: AppServices

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("scans", use: scan)
    }

    struct ScanRequest: Decodable, FlatJSONDecodable {
        let placeId: UUID
        let payload: String
        let direction: CheckInDirection?
        let clientId: UUID
        let scannedAt: String?

        static let members: Set<String> = ["placeId", "payload", "direction", "clientId", "scannedAt"]

        /// The body as `JSONDecoder` reads it, when it is that simple (see `FlatJSON`); nil leaves it to
        /// `JSONDecoder`, for its answer or its error.
        init?(flat members: FlatJSON.Members) {
            guard members.keys.allSatisfy(Self.members.contains),
                  let place = members["placeId"] ?? nil, let placeId = UUID(text: place),
                  let payload = members["payload"] ?? nil,
                  let client = members["clientId"] ?? nil, let clientId = UUID(text: client) else { return nil }
            var direction: CheckInDirection?
            if let text = members["direction"] ?? nil {
                guard let known = CheckInDirection(rawValue: text) else { return nil }
                direction = known
            }
            self.placeId = placeId
            self.payload = payload
            self.direction = direction
            self.clientId = clientId
            self.scannedAt = members["scannedAt"] ?? nil
        }
    }

    struct ScanAnswer: Encodable, Sendable {
        struct Person: Encodable, Sendable {
            let id: String
            let displayName: String
            /// True when the guard typed a number: `displayName` is then that number, masked, not a name.
            var typed = false
        }
        let checkInId: String
        let duplicate: Bool
        let kind: String
        let direction: String
        let scannedAt: String
        let person: Person
        /// The person's health status (H6); null only when it could not be read.
        let status: StatusPayload?
        /// The year of birth when the person's record has a date of birth (absent otherwise), so the
        /// guard can match the card to the face.
        let birthYear: Int?
        /// The place's entries and exits today (local day, UTC+7), this scan included.
        let today: DayTotals?
    }

    struct DayTotals: Encodable, Sendable { let entries: Int; let exits: Int }

    @Sendable func scan(_ request: Request, context: AppRequestContext) async throws -> WrittenJSONResponse {
        let (answer, status) = try await scanAnswer(request, context: context)
        return WrittenJSONResponse(status: status, bytes: answer.json)
    }

    /// How far back an offline queue may date a scan, and how far a clock may run ahead.
    static let maximumAge: Int64 = 7 * 86_400
    static let maximumSkew: Int64 = 120

    func scanAnswer(_ request: Request, context: AppRequestContext) async throws -> (ScanAnswer, HTTPResponse.Status) {
        let scanner: CheckInService.Scanner
        if let device = context.device { scanner = .device(device) } else { scanner = .account(try context.requireAccount()) }
        let body = try await request.decodeJSON(ScanRequest.self, context: context)
        let service = CheckInService(services: services)
        let place = try await service.placeForScanning(body.placeId, by: scanner)
        let scannedAt: Int64
        do {
            scannedAt = try Self.scanTime(body.scannedAt, now: services.time.seconds())
        } catch let error as AppError where error.code == "time_too_old" {
            // A kiosk re-sending, days later, a scan that was recorded: the answer is still "duplicate".
            if let earlier = try await services.store.checkIns.existing(clientId: body.clientId) {
                guard earlier.placeId == place.id, earlier.scannedBy == scanner.accountId, earlier.deviceId == scanner.deviceId else {
                    throw CheckInService.clientIdReused
                }
                return (await answer(earlier, place: place, viewer: scanner.accountId), .ok)
            }
            throw error
        }
        let result = try await service.scan(payload: body.payload, at: place, direction: body.direction ?? .in, clientId: body.clientId,
                                            scannedAt: scannedAt, by: scanner)
        return (await answer(result.recorded, place: place, viewer: scanner.accountId, typedAs: result.typedAs),
                result.recorded.duplicate ? .ok : .created)
    }

    func answer(_ recorded: CheckInStore.Recorded, place: Place, viewer: UUID?, typedAs: String? = nil) async -> ScanAnswer {
        // The extras are a convenience for the screen: if they cannot be read, the scan still answers.
        // Today's counts came back from the batch that recorded a scan of today. Others (a duplicate,
        // an offline scan of another day) read them, in parallel with the status (two connections, so
        // one round trip of waiting instead of two); only they pay for a child task.
        let statusService = HealthStatusService(services: services)
        let newPerson = recorded.newPerson && !recorded.duplicate
        let now = services.time.seconds()
        let status: StatusPayload?
        let today: (entries: Int, exits: Int)?
        if let totals = recorded.dayTotals, totals.day == DashboardStore.day(now) {
            today = (totals.entries, totals.exits)
            status = await statusService.payload(of: recorded.personId, newPerson: newPerson, facts: recorded.facts)
        } else {
            async let read = statusService.payload(of: recorded.personId, newPerson: newPerson, facts: recorded.facts)
            today = try? await services.store.checkIns.dayCounts(placeId: place.id, on: now)
            status = await read
        }
        let name: String
        if let typedAs {
            // Trust rule 3: a typed number reveals no more than the number itself; the guard asks the
            // person their name. (The check-in, and so this disclosure, is in their "who saw my data".)
            name = typedAs
        } else {
            // Whoever may scan at a place is its staff (a kiosk included); the one rule decides what they see.
            let disclosure = Disclosure.decide(placePrivileged: place.isPrivileged(at: recorded.scannedAt), viewerRole: .controller)
            PrivacyGate(services: services).logViewInBackground(recorded.personId, disclosure: disclosure, viewer: viewer, place: place.id)
            name = disclosure.name(recorded.fullName)
        }
        // A birth year matches a card to a face; a typed number has no card, so it gets none. The
        // date of birth came with the check-in, from the transaction that recorded it.
        return ScanAnswer(checkInId: recorded.id.text, duplicate: recorded.duplicate, kind: recorded.kind, direction: recorded.direction,
                          scannedAt: ISOTime.string(recorded.scannedAt), person: .init(id: recorded.personId.text, displayName: name,
                                                                                        typed: typedAs != nil), status: status,
                          birthYear: typedAs == nil ? recorded.birthDate.flatMap(Self.year) : nil,
                          today: today.map { DayTotals(entries: $0.entries, exits: $0.exits) })
    }

    /// "1985-08-15" → 1985; anything that does not start with a plausible year → nil.
    static func year(_ birthDate: String) -> Int? {
        guard let year = Int(birthDate.prefix(4)), birthDate.count >= 4, (1850...2200).contains(year) else { return nil }
        return year
    }

    static func scanTime(_ text: String?, now: Int64) throws -> Int64 {
        guard let text else { return now }
        guard let date = ISOTime.parse(text) else {
            throw AppError(.unprocessableContent, "invalid_time", en: "scannedAt must be ISO 8601 with an offset, e.g. 2026-11-23T06:01:02+07:00",
                           vi: "scannedAt phải theo ISO 8601 có múi giờ.")
        }
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        if seconds > now + maximumSkew {
            throw AppError(.unprocessableContent, "time_in_future", en: "scannedAt is in the future; check the device clock.", vi: "Thời điểm quét ở tương lai; kiểm tra đồng hồ thiết bị.")
        }
        if seconds < now - maximumAge {
            throw AppError(.unprocessableContent, "time_too_old", en: "scannedAt is more than 7 days ago.", vi: "Thời điểm quét đã quá 7 ngày.")
        }
        return seconds
    }
}

extension ScansAPI.ScanAnswer {
    /// What `JSONEncoder` writes for this answer (sorted keys, nil members left out), written by hand.
    var json: [UInt8] {
        var w = JSONWriter()
        w.object { w in
            if let birthYear { w.key("birthYear"); w.int(birthYear) }
            w.key("checkInId"); w.string(checkInId)
            w.key("direction"); w.string(direction)
            w.key("duplicate"); w.bool(duplicate)
            w.key("kind"); w.string(kind)
            w.key("person")
            w.object { w in
                w.key("displayName"); w.string(person.displayName)
                w.key("id"); w.string(person.id)
                w.key("typed"); w.bool(person.typed)
            }
            w.key("scannedAt"); w.string(scannedAt)
            if let status { w.key("status"); status.write(to: &w) }
            if let today {
                w.key("today")
                w.object { w in
                    w.key("entries"); w.int(today.entries)
                    w.key("exits"); w.int(today.exits)
                }
            }
        }
        return w.bytes
    }
}

extension StatusPayload {
    func write(to w: inout JSONWriter) {
        w.object { w in
            w.key("alerts"); w.strings(alerts)
            w.key("level"); w.string(level)
            w.key("origins"); w.dictionary(origins)
            w.key("reasons"); w.strings(reasons)
            w.key("summary"); w.string(summary)
            w.key("summaryVi"); w.string(summaryVi)
            if let test {
                w.key("test")
                w.object { w in
                    w.key("date"); w.string(test.date)
                    w.key("kind"); w.string(test.kind)
                    w.key("result"); w.string(test.result)
                    w.key("verified"); w.bool(test.verified)
                }
            }
            if let vaccination {
                w.key("vaccination")
                w.object { w in
                    w.key("doses"); w.int(vaccination.doses)
                    w.key("full"); w.bool(vaccination.full)
                    w.key("lastDate"); w.string(vaccination.lastDate)
                    w.key("verified"); w.bool(vaccination.verified)
                }
            }
        }
    }
}

