import Foundation
import Hummingbird
import RavaoCore
import RavaoStore
import Testing

/// Administrative units (P5), reference data, and the operations endpoints (P2, P6).
@Suite("Units and operations") struct UnitsAndOperationsTests {
    @Test(arguments: TestEngine.available)
    func the2025ListIsLoadedOnFirstStart(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let provinces = try await app.request(.get, "/api/v1/units").jsonArray
            #expect(provinces.count == 34)
            #expect(provinces.first?["code"] as? String == "01")
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray
            #expect(!wards.isEmpty)
            #expect(wards.allSatisfy { $0["level"] as? String == "ward" && $0["parentCode"] as? String == "48" })
            let total = try await app.store.engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM admin_units WHERE level = 'ward' AND scheme = '2025'").first()!.decode(column: "n", as: Int.self)
            }
            #expect(total == 3321)
            let unknown = try await app.request(.get, "/api/v1/units?parent=XYZ")
            #expect(unknown.status == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func switchingTo2021GivesThreeLevelsAndKeepsOldPlacesReadable(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let before = try await app.createPlace(token: token)
            try await app.store.units.activate(.y2021)
            let provinces = try await app.request(.get, "/api/v1/units").jsonArray
            #expect(provinces.count == 63)
            let districts = try await app.request(.get, "/api/v1/units?parent=48").jsonArray
            #expect(districts.first?["level"] as? String == "district")
            let district = try #require(districts.first?["code"] as? String)
            let wards = try await app.request(.get, "/api/v1/units?parent=\(district)").jsonArray
            #expect(wards.first?["level"] as? String == "ward")
            let ward = try #require(wards.first?["code"] as? String)
            let place = try await app.request(.post, "/api/v1/places", json: #"{"name":"Chợ","type":"market","wardCode":"\#(ward)","registrantName":"A"}"#, token: token)
            #expect(place.status == .created)
            #expect(place.string("districtCode") == district)
            // The place registered under 2025 still shows its 2025 names.
            let old = try await app.request(.get, "/api/v1/places/\(before["id"] as! String)", token: token)
            #expect(old.string("wardName") == before["wardName"] as? String)
            let byDistrict = try await app.request(.get, "/api/v1/places?district=\(district)", token: token)
            #expect(byDistrict.json["total"] as? Int == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func placeTypesCoverTheCatalogue(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let types = try await app.request(.get, "/api/v1/place-types").jsonArray
            let codes = Set(types.compactMap { $0["code"] as? String })
            for required in ["office", "factory", "restaurant", "market", "hospital", "checkpoint", "vehicle"] {
                #expect(codes.contains(required))
            }
            #expect(types.count == PlaceType.catalogue.count)
            let privileged = Set(types.filter { $0["privileged"] as? Bool == true }.compactMap { $0["code"] as? String })
            #expect(privileged == ["hospital", "checkpoint"])
            #expect(types.allSatisfy { ($0["defaultStayMinutes"] as? Int ?? 0) > 0 && $0["name"] is String })
        }
    }

    @Test(arguments: TestEngine.available)
    func healthMetricsOpenAPIAndAssets(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let health = try await app.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.string("database") == engine.rawValue)
            let spec = try await app.request(.get, "/api/openapi.yaml")
            #expect(spec.status == .ok)
            for path in ["/healthz:", "/api/v1/auth/otp:", "/api/v1/auth/verify:", "/api/v1/units:", "/api/v1/place-types:",
                         "/api/v1/places:", "/api/v1/places/{id}:", "/api/v1/places/{id}/qr.svg:", "/api/v1/places/{id}/qr.png:", "/api/v1/scans:"] {
                #expect(spec.body.contains(path), "the OpenAPI document lacks \(path)")
            }
            // Metrics only with the scrape token: not for anyone, not for a signed-in user.
            #expect(try await app.request(.get, "/metrics").status == .notFound)
            #expect(try await app.request(.get, "/metrics", token: "wrong").status == .notFound)
            #expect(try await app.request(.get, "/metrics", token: TestHarness.metricsToken).status == .ok)
            let js = try await app.request(.get, "/static/app.js")
            #expect(js.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(try await app.request(.get, "/static/missing.js").status == .notFound)
            let page = try await app.request(.get, "/signin")
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            let unknown = try await app.request(.get, "/api/v1/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
        }
    }

    /// Errors are answered in the asker's language and with the security headers: the error answer
    /// runs after identity has resolved the language. (`Tests/system/test_metrics.py` checks that they
    /// are counted, on the real binary, whose metrics registry is bootstrapped.)
    @Test(arguments: TestEngine.available)
    func errorAnswersSpeakTheAskersLanguage(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let vietnamese = try await app.request(.get, "/nope")
            #expect(vietnamese.status == .notFound)
            #expect(vietnamese.body.contains("<html lang=\"vi\"") && vietnamese.body.contains("Không tìm thấy"))
            #expect(vietnamese.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let asked = try await app.request(.get, "/nope?lang=en")
            #expect(asked.status == .notFound)
            #expect(asked.body.contains("<html lang=\"en\"") && asked.body.contains("Not found"), "\(asked.body)")
            let byHeader = try await app.request(.get, "/nope", headers: [.acceptLanguage: "en-GB,en;q=0.9"])
            #expect(byHeader.body.contains("<html lang=\"en\""), "\(byHeader.body)")
            let byCookie = try await app.request(.get, "/nope", headers: [.cookie: "ravao_lang=en"])
            #expect(byCookie.body.contains("<html lang=\"en\""), "\(byCookie.body)")
            // An error a route throws, not only the router's 404.
            let badCode = try await app.request(.get, "/c/NOSUCHCODE?lang=en")
            #expect(badCode.status.code >= 400 && badCode.body.contains("<html lang=\"en\""), "\(badCode.status) \(badCode.body)")
            // A bad credential is refused before any route, and still answered as JSON with the headers.
            let badToken = try await app.request(.get, "/api/v1/places", token: "not-a-token")
            #expect(badToken.status == .unauthorized && badToken.errorCode == "invalid_token")
            #expect(badToken.headers[.init("X-Content-Type-Options")!] == "nosniff")
        }
    }

    @Test func everyMigrationAppliesOnceEvenWhenRunTwice() async throws {
        let (location, cleanup) = try TestEngine.sqlite.freshLocation()
        defer { cleanup() }
        let engine = try await openDatabase(location, logger: .init(label: "test"))
        try await Migrator.migrate(engine, logger: .init(label: "test"), clock: { 0 })
        try await Migrator.migrate(engine, logger: .init(label: "test"), clock: { 0 })
        let versions = try await engine.read { db in
            try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all().map { try $0.decode(column: "version", as: Int.self) }
        }
        // Branches own their migration numbers, so a merged tree may have gaps; each version is applied once, in order.
        #expect(versions == Set(versions).sorted())
        #expect(versions.first == 1 && versions.count == Set(versions).count)
        #expect(versions.count >= 2)
        await engine.shutdown()
    }

    @Test func databaseLocationsParse() throws {
        #expect(try DatabaseLocation(parsing: "sqlite:ravao.sqlite") == .sqlite(path: "ravao.sqlite"))
        guard case .postgres(let p) = try DatabaseLocation(parsing: "postgres://u:p%40ss@db.local:6543/ravao?schema=s1") else {
            Issue.record("not postgres"); return
        }
        #expect(p.host == "db.local" && p.port == 6543 && p.username == "u" && p.password == "p@ss" && p.database == "ravao" && p.schema == "s1")
        #expect(throws: DatabaseError.self) { try DatabaseLocation(parsing: "mysql://x") }
        #expect(throws: DatabaseError.self) { try DatabaseLocation(parsing: "postgres://host") }
        #expect(p.maxConnections == 16 && p.writers == 1, "the defaults")
        guard case .postgres(let tuned) = try DatabaseLocation(parsing: "postgres://u@h/db?pool=8&writers=4") else { Issue.record("not postgres"); return }
        #expect(tuned.maxConnections == 8 && tuned.writers == 4)
        // Each writer is a connection of its own; more writers than the pool is refused as a mistake, as is none.
        #expect(throws: DatabaseError.self) { try DatabaseLocation(parsing: "postgres://u@h/db?pool=4&writers=5") }
        #expect(throws: DatabaseError.self) { try DatabaseLocation(parsing: "postgres://u@h/db?writers=0") }
    }
}
