import Foundation
import Testing
@testable import RavaoCore

@Suite("Vietnamese input-method recovery")
struct InputMethodRecoveryTests {
    @Test("detects Vietnamese letters, composed or decomposed, and nothing else")
    func detection() {
        #expect(InputMethodRecovery.containsVietnameseLetters("ab\u{00E2}c"))
        #expect(InputMethodRecovery.containsVietnameseLetters("đ"))
        #expect(InputMethodRecovery.containsVietnameseLetters("e\u{0302}\u{0301}"))   // ế in NFD
        #expect(!InputMethodRecovery.containsVietnameseLetters("GD4797932345678|$"))
        #expect(!InputMethodRecovery.containsVietnameseLetters("ß日本😀ñ"))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let method: VietnameseInputMethod
        let mangled: String
        let first: String
        var testDescription: String { "\(method) \(mangled)" }
    }

    static let cheapest: [Case] = [
        .init(method: .telex, mangled: "â", first: "aa"),
        .init(method: .telex, mangled: "Â", first: "AA"),
        .init(method: .telex, mangled: "đ", first: "dd"),
        .init(method: .telex, mangled: "ă", first: "aw"),
        .init(method: .telex, mangled: "ơ", first: "ow"),
        .init(method: .telex, mangled: "ư", first: "uw"),
        .init(method: .telex, mangled: "bà", first: "baf"),
        .init(method: .telex, mangled: "ấ", first: "aas"),
        .init(method: .vni, mangled: "á", first: "a1"),
        .init(method: .vni, mangled: "ầ", first: "a62"),
        .init(method: .vni, mangled: "đ", first: "d9"),
        .init(method: .vni, mangled: "ư", first: "u7"),
        .init(method: .viqr, mangled: "ọ", first: "o."),
        .init(method: .viqr, mangled: "â", first: "a^"),
        .init(method: .viqr, mangled: "ă", first: "a("),
        .init(method: .viqr, mangled: "ơ", first: "o+"),
    ]

    @Test("the cheapest candidate is the plain keystroke spelling", arguments: cheapest)
    func cheapestCandidate(_ c: Case) {
        #expect(InputMethodRecovery.candidates(for: c.mangled, method: c.method).first == c.first)
    }

    @Test("moved tones and lone w are among the candidates")
    func alternatives() {
        // Telex: "hoaf" + "n" → "hoàn": the f was typed before the a that carries the tone.
        #expect(InputMethodRecovery.candidates(for: "hoàn", method: .telex).contains("hofan"))
        #expect(InputMethodRecovery.candidates(for: "ư", method: .telex).contains("w"))
        // VNI: tone key before the hat key at the same place.
        #expect(InputMethodRecovery.candidates(for: "ầ", method: .vni).contains("a26"))
        #expect(InputMethodRecovery.candidates(for: "plain ascii", method: .telex).isEmpty)
    }

    @Test("recover() returns the first candidate the caller accepts, with its method")
    func recoverGeneric() throws {
        // A token-like string in an alphabet that *does* have vowels (base64url), mangled by
        // Telex: the generic engine still finds it when the caller can check the answer.
        let original = "RV1.aaBxoo-dd_e1w9Kf"
        let mangled = IMESimulator.type(original, .telex)
        #expect(mangled != original)
        let found = try #require(InputMethodRecovery.recover(mangled) { $0 == original })
        #expect(found.method == .telex)
        #expect(InputMethodRecovery.recover("no marks here") { _ in true } == nil)
    }

    /// What recognising an IME-mangled scan must give.
    enum Outcome: Sendable { case unchanged, recovered, inputMethodActive, placePoster }

    struct RoundTrip: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        let method: VietnameseInputMethod
        let outcome: Outcome
        var testDescription: String { "\(label) via \(method)" }
    }

    static let roundTrips: [RoundTrip] = [
        // The FORMATS.md BHYT example: Telex turns "aa" and "…bf" in the address hex into â/à.
        .init(label: "BHYT example", text: PayloadFixtures.bhytExample, method: .telex, outcome: .recovered),
        // VNI applies several digits to one vowel there, which loses information: named, not guessed.
        .init(label: "BHYT example", text: PayloadFixtures.bhytExample, method: .vni, outcome: .inputMethodActive),
        .init(label: "BHYT example", text: PayloadFixtures.bhytExample, method: .viqr, outcome: .unchanged),
        .init(label: "BHYT 2023 Lê Thị Hoa", text: PayloadFixtures.bhyt2023(name: "Lê Thị Hoa"), method: .telex, outcome: .recovered),
        .init(label: "BHYT 2023 Lê Thị Hoa", text: PayloadFixtures.bhyt2023(name: "Lê Thị Hoa"), method: .vni, outcome: .recovered),
        .init(label: "BHYT 2023 Trần Thị Bình", text: PayloadFixtures.bhyt2023(), method: .telex, outcome: .recovered),
        .init(label: "BHYT 2023 Trần Thị Bình", text: PayloadFixtures.bhyt2023(), method: .vni, outcome: .recovered),
        .init(label: "BHYT 2023 Phạm Quốc Bảo", text: PayloadFixtures.bhyt2023(name: "Phạm Quốc Bảo"), method: .telex, outcome: .recovered),
        .init(label: "CCCD example", text: PayloadFixtures.cccdExample, method: .telex, outcome: .unchanged),
        .init(label: "CCCD example", text: PayloadFixtures.cccdExample, method: .vni, outcome: .unchanged),
        .init(label: "CCCD example", text: PayloadFixtures.cccdExample, method: .viqr, outcome: .unchanged),
        .init(label: "national example", text: PayloadFixtures.nationalExample, method: .telex, outcome: .unchanged),
        .init(label: "national example", text: PayloadFixtures.nationalExample, method: .vni, outcome: .unchanged),
        .init(label: "national example", text: PayloadFixtures.nationalExample, method: .viqr, outcome: .unchanged),
        .init(label: "token", text: PayloadFixtures.token(), method: .telex, outcome: .unchanged),
        .init(label: "token", text: PayloadFixtures.token(), method: .vni, outcome: .unchanged),
        .init(label: "token", text: PayloadFixtures.token(), method: .viqr, outcome: .unchanged),
        .init(label: "poster", text: "https://ravao.example.vn/c/Xk3aafEwq9", method: .telex, outcome: .placePoster),
        .init(label: "poster", text: "https://ravao.vn/c/Xk3aafEwq9", method: .viqr, outcome: .placePoster),
        .init(label: "phone", text: "0912 345 678", method: .vni, outcome: .unchanged),
    ]

    @Test("forward simulation then recognition", arguments: roundTrips)
    func roundTrip(_ c: RoundTrip) throws {
        let mangled = IMESimulator.type(c.text, c.method)
        let result = PayloadFixtures.recognizer.recognize(mangled)
        switch c.outcome {
        case .unchanged:
            #expect(mangled == c.text)
            #expect(result.payload?.wasRecoveredFromInputMethod == false)
        case .recovered:
            #expect(mangled != c.text)
            let p = try #require(result.payload)
            #expect(p.wasRecoveredFromInputMethod)
            #expect(p.recovery?.method == c.method)
            #expect((p.recovery?.repairedLetters ?? 0) > 0)
            #expect(p.raw == mangled, "the raw text is what the scanner sent")
            let original = try #require(PayloadFixtures.recognizer.recognize(c.text).payload)
            #expect(Self.sameIdentity(p, original))
        case .inputMethodActive:
            #expect(mangled != c.text)
            #expect(result == .unrecognized(.inputMethodActive(suspected: PayloadFixtures.recognizer.recognize(c.text).payload?.kind)))
        case .placePoster:
            #expect(mangled != c.text)
            #expect(result == .unrecognized(.placePoster))
        }
    }

    /// Equal apart from raw text, recovery note, and an issuer check value that VNI may leave
    /// unrecoverable (then dropped).
    static func sameIdentity(_ a: ScannedPayload, _ b: ScannedPayload) -> Bool {
        var x = a, y = b
        x.raw = ""; y.raw = ""
        x.recovery = nil; y.recovery = nil
        x.wasRecoveredFromInputMethod = false; y.wasRecoveredFromInputMethod = false
        if x.bhyt?.issuerCheck == nil { y.bhyt?.issuerCheck = nil }
        return x == y
    }

    static let family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
    static let middle = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
    static let given = ["An", "Bảo", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Linh", "Long", "Mai", "Nam",
                        "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Uyên", "Việt", "Yến", "Ánh", "Đạt"]
    static let streets = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Điện Biên Phủ", "Võ Văn Tần"]
    static let wards = ["Phường Bến Nghé", "Phường Cầu Ông Lãnh", "Xã Đông Thạnh", "Phường Hàng Bạc"]

    @Test("random cards: every mangled scan is recovered to the same identity or named, never misread")
    func randomCards() throws {
        var rng = PayloadSplitMix64(seed: 2024)
        var recovered: [VietnameseInputMethod: Int] = [:]
        var named: [VietnameseInputMethod: Int] = [:]
        var wrong: [String] = []
        for i in 0..<200 {
            let name = "\(Self.family.randomElement(using: &rng)!) \(Self.middle.randomElement(using: &rng)!) \(Self.given.randomElement(using: &rng)!)"
            let address = "Số \(Int.random(in: 1...300, using: &rng)) \(Self.streets.randomElement(using: &rng)!), \(Self.wards.randomElement(using: &rng)!)"
            let text: String
            if i % 2 == 0 {
                text = PayloadFixtures.bhyt2023(name: name)
            } else {
                var f = PayloadFixtures.bhytExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                f[1] = PayloadFixtures.hex(name)
                f[4] = PayloadFixtures.hex(address)
                text = f.joined(separator: "|")
            }
            let original = try #require(PayloadFixtures.recognizer.recognize(text).payload)
            for method in VietnameseInputMethod.allCases {
                let mangled = IMESimulator.type(text, method)
                guard mangled != text else { continue }
                switch PayloadFixtures.recognizer.recognize(mangled) {
                case .recognized(let p):
                    if Self.sameIdentity(p, original) && p.wasRecoveredFromInputMethod {
                        recovered[method, default: 0] += 1
                    } else {
                        wrong.append("\(method): \(name) / \(address) → \(p.fullName ?? "-") / \(p.address ?? "-")")
                    }
                case .unrecognized(.inputMethodActive(.bhyt)):
                    named[method, default: 0] += 1
                case .unrecognized(let r):
                    wrong.append("\(method): \(name) → \(r)")
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong)")
        // Telex rewrites are local (doubling, one tone key), so all of them come back.
        #expect(named[.telex, default: 0] == 0)
        #expect(recovered[.telex, default: 0] > 50)
        #expect(recovered[.vni, default: 0] > 50)
    }

    @Test("a token with Vietnamese letters is named as an input-method problem")
    func mangledTokenNamed() {
        let token = PayloadFixtures.token()
        let mangled = "RV1.âB" + token.dropFirst(6)
        #expect(PayloadFixtures.recognizer.recognize(mangled) == .unrecognized(.inputMethodActive(suspected: .ravao)))
        // The same for a card whose number was hit.
        let bhyt = PayloadFixtures.bhytExample.replacingOccurrences(of: "GD4797932345678", with: "GĐ4797932345678")
        #expect(PayloadFixtures.recognizer.recognize(bhyt).reason == .inputMethodActive(suspected: .bhyt))
    }

    @Test("prose with Vietnamese letters stays an unknown format; a code-like string names the IME")
    func proseVersusCode() {
        #expect(PayloadFixtures.recognizer.recognize("Xin chào các bạn").reason?.code == "unknown_format")
        #expect(PayloadFixtures.recognizer.recognize("ábcdef123xyz").reason == .inputMethodActive(suspected: nil))
    }

    @Test("note texts exist in both languages")
    func noteTexts() {
        let note = InputMethodRecoveryNote(method: .vni, repairedLetters: 3)
        #expect(note.summary.contains("VNI"))
        #expect(note.summaryVI.contains("VNI"))
    }
}
