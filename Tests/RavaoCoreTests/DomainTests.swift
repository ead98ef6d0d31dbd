import Foundation
import Testing
@testable import RavaoCore

@Suite("Phone numbers") struct PhoneNumberTests {
    @Test(arguments: [
        ("0912345678", "+84912345678"), ("+84912345678", "+84912345678"), ("84912345678", "+84912345678"),
        ("091 234 5678", "+84912345678"), ("091.234.5678", "+84912345678"), ("+84 (91) 234-5678", "+84912345678"),
        ("0387654321", "+84387654321"), ("02363123456", "+842363123456"),
    ])
    func acceptedForms(input: String, stored: String) {
        #expect(PhoneNumber(input)?.e164 == stored)
    }

    @Test(arguments: ["", "12345", "091234567", "09123456789", "+85912345678", "0112345678", "09l2345678", "+", "0912345678x", "١٢٣"])
    func refused(input: String) {
        #expect(PhoneNumber(input) == nil)
    }

    @Test func displayAndMasking() {
        let phone = PhoneNumber("+84916859123")!
        #expect(phone.national == "0916859123")
        #expect(phone.masked == "0916859***")
    }

    @Test func codableUsesTheStoredForm() throws {
        let data = try JSONEncoder().encode([PhoneNumber("0912345678")!])
        #expect(String(decoding: data, as: UTF8.self) == #"["+84912345678"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PhoneNumber].self, from: Data(#"["12"]"#.utf8)) }
    }
}

@Suite("Licence plates") struct LicensePlateTests {
    @Test(arguments: [
        ("98C-123.45", "98C-123.45"), ("98c12345", "98C-123.45"), ("51F12345", "51F-123.45"), ("51F-123.45", "51F-123.45"),
        ("30A-1234", "30A-1234"), ("51LD-123.45", "51LD-123.45"), ("29 B1 123 45", "29B1-123.45"), ("43B 012.34", "43B-012.34"),
    ])
    func valid(input: String, canonical: String) {
        #expect(LicensePlate(input)?.canonical == canonical)
    }

    @Test(arguments: ["", "ABC-123", "98-12345", "0AC-12345", "10A-12345", "98C-123", "98C-1234567", "98CDE-12345", "98C-12a45", "９８C-12345"])
    func invalid(input: String) {
        #expect(LicensePlate(input) == nil)
    }
}

@Suite("Text") struct TextTests {
    @Test func foldingRemovesDiacriticsAndCase() {
        #expect(TextFolding.fold("Quán Cơm  Bà Ba") == "quan com ba ba")
        #expect(TextFolding.fold("Đường Lê Duẩn, ĐÀ NẴNG") == "duong le duan, da nang")
        #expect(TextFolding.terms("  Chợ   Hàn ") == ["cho", "han"])
        #expect(TextFolding.terms("") == [])
    }

    @Test func escapingNeutralisesMarkup() {
        #expect(HTMLEscaping.escape(#"<script>alert("x")</script> & 'y'"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(HTMLEscaping.escape("Nguyễn Văn A") == "Nguyễn Văn A")
    }

    @Test func languageNegotiation() {
        #expect(Language.negotiate(query: nil, cookie: nil, acceptLanguage: nil) == .vi)
        #expect(Language.negotiate(query: nil, cookie: nil, acceptLanguage: "en-US,en;q=0.9") == .en)
        #expect(Language.negotiate(query: "vi", cookie: "en", acceptLanguage: "en") == .vi)
        #expect(Language.negotiate(query: "xx", cookie: "en", acceptLanguage: nil) == .en)
    }
}

@Suite("Places") struct PlaceDomainTests {
    @Test func codesAreLongRandomAndWellFormed() {
        let codes = (0..<1000).map { _ in PlaceCode.generate() }
        #expect(Set(codes).count == 1000)
        #expect(codes.allSatisfy { $0.count == 12 && PlaceCode.isWellFormed($0) })
        // 12 symbols from 57: log2(57^12) ≈ 70 bits ≥ 64.
        #expect(12 * log2(57.0) >= 64)
        #expect(!PlaceCode.isWellFormed("abc"))
        #expect(!PlaceCode.isWellFormed("<script>x</script>"))
    }

    @Test func catalogueCoversSeed002AndFlagsPrivilegedTypes() {
        let codes = Set(PlaceType.catalogue.map(\.code))
        #expect(codes.count == PlaceType.catalogue.count)
        for code in ["office", "industrial_park", "factory", "workshop", "restaurant", "bar", "karaoke", "massage_beauty", "gym",
                     "meeting", "hospital", "apartment", "school", "station", "vehicle", "supermarket", "market", "shop",
                     "wedding_funeral", "tourist_site", "religious_site", "checkpoint", "public_space", "street_vendor", "other"] {
            #expect(codes.contains(code), "missing \(code)")
        }
        #expect(PlaceType.catalogue.filter(\.privileged).map(\.code).sorted() == ["checkpoint", "hospital"])
        #expect(PlaceType.catalogue.allSatisfy { $0.defaultStayMinutes > 0 && $0.defaultStayMinutes <= PlaceType.maximumStayMinutes })
    }

    @Test func rolesAreOrdered() {
        #expect(PlaceRole.owner.canDelete && PlaceRole.owner.canManageAccess && PlaceRole.owner.canEdit)
        #expect(PlaceRole.manager.canEdit && !PlaceRole.manager.canDelete && !PlaceRole.manager.canManageAccess)
        #expect(!PlaceRole.controller.canEdit)
    }
}

@Suite("Days") struct LocalDateTests {
    /// The digit-by-digit writer against Foundation's printf, over every day of 1900–2100 (scans,
    /// birth dates, statuses and partitions all write days this way).
    @Test func isoDaysAreWhatPrintfWrites() {
        for days in Int64(-25_567)...Int64(47_482) {
            let (y, m, d) = LocalDate.civil(fromDays: days)
            let expected = String(format: "%04d-%02d-%02d", Int(y), Int(m), Int(d))
            guard LocalDate(dayNumber: days).description == expected else {
                Issue.record("day \(days): \(LocalDate(dayNumber: days).description) against \(expected)")
                return
            }
        }
        #expect(LocalDate(dayNumber: 0).description == "1970-01-01")
        #expect(HealthRules.civilDateString(days: 20_794) == "2026-12-07")
    }
}

@Suite("Masked names") struct MaskedNameTests {
    @Test func givenNameHidden() {
        #expect(Masking.name("Nguyễn Văn An") == "Nguyễn Văn ***")
        #expect(Masking.name("  Trần\tThị\u{00A0}Bích  ") == "Trần Thị ***")
        #expect(Masking.name("An") == "***")
        #expect(Masking.name(" \n") == "")
    }

    /// The scalar split gives what the split by characters gives, on names of Vietnamese letters
    /// (precomposed and decomposed), white space of every kind, CR LF, combining marks after a space,
    /// joiners and emoji.
    @Test func scalarSplitIsTheCharacterSplit() {
        let pieces = ["Nguyễn", "Văn", "An", "Đỗ", "Thị", " ", "  ", "\t", "\n", "\r\n", "\u{00A0}", "\u{3000}", "\u{2028}",
                      "e\u{302}\u{303}", "\u{301}", "\u{200D}", "👩‍👩‍👧", "a", "Ơ", "\u{0085}", "\u{00AD}", "x\u{0600}"]
        var state: UInt64 = 99
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<5_000 {
            let name = (0..<next(7)).map { _ in pieces[next(pieces.count)] }.joined()
            #expect(Masking.name(name) == Masking.graphemeName(name), "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
