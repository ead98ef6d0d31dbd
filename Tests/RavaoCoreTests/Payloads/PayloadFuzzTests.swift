import Foundation
import Testing
@testable import RavaoCore

/// Seeded fuzzing: the recogniser must answer every input, keep its raw text, and stay fast.
@Suite("Payload recognizer fuzzing")
struct PayloadFuzzTests {
    static let seeds: [String] = [
        PayloadFixtures.bhytExample,
        PayloadFixtures.bhyt2023(),
        PayloadFixtures.cccdExample,
        "079185001234||Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024||||",
        PayloadFixtures.nationalExample,
        PayloadFixtures.token(),
        "https://ravao.example.vn/c/Xk3aafEwq9",
        "+84 912 345 678",
        "02438251234",
        "GD4797932345678",
    ]

    /// Characters that stress Unicode handling: Vietnamese letters (composed and decomposed),
    /// combining marks, bidi and zero-width controls, NUL, CR/LF, other scripts, emoji.
    static let exotic: [String] = [
        "â", "ệ", "đ", "Ư", "e\u{0302}\u{0301}", "\u{0301}", "\u{0323}", "\u{202E}", "\u{200B}", "\u{FEFF}",
        "\u{0000}", "\r", "\n", "\t", "\u{00A0}", "Ж", "日", "😀", "👩‍👩‍👧", "\u{10FFFF}", "ﷺ", "|", "<", "$", "*",
    ]

    static func randomString(_ rng: inout PayloadSplitMix64, maxLength: Int) -> String {
        let n = Int.random(in: 0...maxLength, using: &rng)
        var s = ""
        for _ in 0..<n {
            switch UInt8.random(in: 0..<10, using: &rng) {
            case 0..<5: s.append(Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng))))
            case 5..<7: s.append(Character(Unicode.Scalar(UInt8.random(in: 0x30...0x39, using: &rng))))
            case 7: s += exotic.randomElement(using: &rng)!
            case 8: s.append("|")
            default:
                let v = UInt32.random(in: 0...0x2FFFF, using: &rng)
                if let u = Unicode.Scalar(v) { s.unicodeScalars.append(u) }
            }
        }
        return s
    }

    static func mutate(_ input: String, _ rng: inout PayloadSplitMix64) -> String {
        var s = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            switch UInt8.random(in: 0..<9, using: &rng) {
            case 0: // flip a bit in the UTF-8 bytes; invalid sequences decode as U+FFFD
                var bytes = Array(s.utf8)
                guard !bytes.isEmpty else { continue }
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                s = String(decoding: bytes, as: UTF8.self)
            case 1: // truncate
                s = String(s.prefix(Int.random(in: 0...max(0, s.count), using: &rng)))
            case 2: // duplicate a field
                var f = s.split(separator: "|", omittingEmptySubsequences: false)
                let i = Int.random(in: 0..<f.count, using: &rng)
                f.insert(f[i], at: i)
                s = f.joined(separator: "|")
            case 3: // insert a separator
                let seps = ["|", "<", "/", "-", ".", "$", "*", " ", "||", ":"]
                let chars = Array(s)
                let i = Int.random(in: 0...chars.count, using: &rng)
                s = String(chars[..<i]) + seps.randomElement(using: &rng)! + String(chars[i...])
            case 4: // insert exotic Unicode
                let chars = Array(s)
                let i = Int.random(in: 0...chars.count, using: &rng)
                s = String(chars[..<i]) + exotic.randomElement(using: &rng)! + String(chars[i...])
            case 5: // run it through an input method
                s = IMESimulator.type(s, VietnameseInputMethod.allCases.randomElement(using: &rng)!)
            case 6: // delete a range
                let chars = Array(s)
                guard !chars.isEmpty else { continue }
                let a = Int.random(in: 0..<chars.count, using: &rng)
                let b = Int.random(in: a...min(chars.count, a + 8), using: &rng)
                s = String(chars[..<a]) + String(chars[b...])
            case 7: // flip letter case
                s = Bool.random(using: &rng) ? s.uppercased() : s.lowercased()
            default: // replace a character with a random ASCII one
                var chars = Array(s)
                guard !chars.isEmpty else { continue }
                chars[Int.random(in: 0..<chars.count, using: &rng)] = Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
                s = String(chars)
            }
        }
        return s
    }

    /// Checks the invariants of one answer; returns a description of any violation.
    static func check(_ input: String, _ recognizer: PayloadRecognizer) -> (failure: String?, recognized: Bool) {
        switch recognizer.recognize(input) {
        case .recognized(let p):
            if p.raw != input { return ("raw not kept for \(input.debugDescription)", true) }
            if p.wasRecoveredFromInputMethod != (p.recovery != nil) { return ("recovery flag mismatch", true) }
            if p.kind == .cccd, let id = p.cccdNumber, id.count != 12 { return ("short CCCD accepted", true) }
            if let d = p.birthDate, ScannedDate(year: d.year, month: d.month, day: d.day) == nil { return ("invalid date", true) }
            return (nil, true)
        case .unrecognized(let r):
            if r.message.isEmpty || r.messageVI.isEmpty { return ("empty message for \(r)", false) }
            if case .unknownFormat(let e) = r, e.count > 25 { return ("long excerpt", false) }
            return (nil, false)
        }
    }

    /// RAVAO_FUZZ_COUNT raises the count for a long run (the trust issue's 1,000,000); CI runs 100,000.
    static var count: Int { Int(ProcessInfo.processInfo.environment["RAVAO_FUZZ_COUNT"] ?? "") ?? 100_000 }

    @Test("100,000 random and mutated inputs (RAVAO_FUZZ_COUNT): always an answer, raw kept, whole run fast")
    func fuzz() {
        let recognizer = PayloadFixtures.recognizer
        var rng = PayloadSplitMix64(seed: 0x5EED_2021)
        var failures: [String] = []
        var recognized = 0
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<Self.count {
            let input: String
            if i % 5 == 0 {
                input = Self.randomString(&rng, maxLength: i % 1000 == 0 ? 4000 : 120)
            } else {
                input = Self.mutate(Self.seeds[i % Self.seeds.count], &rng)
            }
            let (failure, ok) = Self.check(input, recognizer)
            if let failure { failures.append(failure) }
            if ok { recognized += 1 }
        }
        let elapsed = clock.now - start
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // Mutations that keep a payload valid must still be recognised somewhere.
        #expect(recognized > 10_000)
        // Generous bound for a debug build on 2 cores; a quadratic path would blow far past it.
        #expect(elapsed < .seconds(120 * max(1, Double(Self.count) / 100_000)), "fuzz run took \(elapsed)")
        print("payload fuzz: \(Self.count) inputs, \(recognized) recognised, \(failures.count) failures, \(elapsed)")
    }

    @Test("100 KB and near-limit pathological inputs are answered quickly")
    func longInputs() {
        let recognizer = PayloadFixtures.recognizer
        var rng = PayloadSplitMix64(seed: 99)
        let hundredKB = 100 * 1024
        let huge: [String] = [
            Self.randomString(&rng, maxLength: 0) + String(repeating: "x", count: hundredKB),
            String(repeating: "|", count: hundredKB),
            "RV1." + String(repeating: "B", count: hundredKB),
            "https://" + String(repeating: "a", count: hundredKB),
            String(repeating: "ầ", count: hundredKB / 3),
            String(repeating: "]Q1", count: hundredKB / 3),
            String(repeating: "0", count: hundredKB),
            String(repeating: "\r\n", count: hundredKB / 2) + "0912345678",
        ]
        // Just under the cap, so they are fully parsed (and searched for IME damage).
        let nearLimit: [String] = [
            String(repeating: "|", count: 8_000),
            String(repeating: "ầ", count: 2_700),
            String(repeating: "ầ ", count: 1_600),
            String(repeating: "aầb|", count: 1_500),
            "GD4797932345678|" + String(repeating: "e1", count: 3_900) + "|$",
            "https://" + String(repeating: "ê", count: 2_600),
            "https://ravao.vn/c/" + String(repeating: "ư", count: 2_600),
            "RV1." + String(repeating: "â", count: 2_600),
            String(repeating: "079085001234|", count: 600),
            "******001234|" + String(repeating: "<", count: 7_000) + "|1985-**-**|0|1|",
        ]
        let clock = ContinuousClock()
        let start = clock.now
        for s in huge {
            #expect(recognizer.recognize(s) == .unrecognized(.tooLong(bytes: PayloadText.clean(s).utf8.count)) ||
                    recognizer.recognize(s).payload != nil)
        }
        for s in nearLimit {
            #expect(Self.check(s, recognizer).failure == nil)
        }
        #expect(clock.now - start < .seconds(30))
    }
}
