import Crypto
import Foundation
@testable import RavaoCore

/// SplitMix64: a tiny, fast, well-mixed PRNG; fixed seeds make fuzz runs reproducible.
struct PayloadSplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum PayloadFixtures {
    static let keyBytes = [UInt8](repeating: 0x5A, count: 32)
    static var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    static var otherKey: SymmetricKey { SymmetricKey(data: [UInt8](repeating: 0xA5, count: 32)) }
    static let host = "ravao.example.vn"
    static var recognizer: PayloadRecognizer { PayloadRecognizer(tokenKey: key, ownHosts: ["https://\(host)/", "ravao.vn"]) }
    static let personID = UUID(uuidString: "6F1C2B3A-4D5E-4F60-8172-93A4B5C6D7E8")!

    static let bhytExample = "GD4797932345678|4e677579e1bb856e2056c4836e2041|15/08/1985|1|53e1bb91203132204cc3aa204ce1bba3692c205068c6b0e1bb9d6e672042e1babf6e204e6768c3a92c2054502e2048e1bb93204368c3ad204d696e68|79 - 001|01/01/2021|31/12/2021|01/01/2021|79014797932345|-|4|01/01/2025|0a1b2c3d4e5f6071-2021|$"
    static let bhytExampleAddress = "Số 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh"
    static let cccdExample = "079085001234|123456789|Nguyễn Văn A|15081985|Nam|Số 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh|10052021"
    static let nationalExample = "******001234|NGUYEN VAN A|1985-08-15|0|100000000000012345|<1<GD4797932345678<0912345678<"

    /// Hex of the UTF-8 bytes, as BHYT cards store names and addresses.
    static func hex(_ s: String) -> String {
        s.utf8.map { String(format: "%02x", $0) }.joined()
    }

    /// A BHYT card QR in the 2023 layout (17 fields, issuing place in hex at 15).
    static func bhyt2023(name: String = "Trần Thị Bình", number: String = "7932345678", gender: String = "2") -> String {
        "\(number)|\(hex(name))|01/02/1990|\(gender)|-|79 - 012|01/01/2024|-|01/01/2024|79017932345678|-|4| 01/01/2029|1a2b3c4d5e6f7081-2024|4|\(hex("BHXH TP. Hồ Chí Minh"))|$"
    }

    static func token(version: Int = 3) -> String {
        PersonalToken.issue(personId: personID, version: version, key: key)
    }
}

/// Forward simulation of Vietnamese input methods turning scanner keystrokes into text, used to
/// test that `InputMethodRecovery` undoes them. It models the documented rules: Telex doubling
/// (`aa`, `dd`, …), `w` hooks, tone keys `s f r x j`; VNI digits 1–9; VIQR `' \` ? ~ . ^ ( +`;
/// and the whole-word behaviour of real IMEs (a tone key anywhere after a vowel sets the word's
/// tone, which moves to the vowel the spelling rules choose as letters are added).
enum IMESimulator {
    typealias Shape = InputMethodRecovery.Shape
    typealias Tone = InputMethodRecovery.Tone

    private struct Cell {
        var literal: Character
        var base: Character?
        var shape: Shape = .none
        var tone: Tone = .none
    }

    static func type(_ text: String, _ method: VietnameseInputMethod) -> String {
        var output = ""
        var word: [Cell] = []
        var wordTone: Tone = .none

        func isVowel(_ c: Cell) -> Bool {
            guard let b = c.base else { return false }
            return "aeiouyAEIOUY".contains(b)
        }
        func placement() -> Int? {
            guard let first = word.firstIndex(where: isVowel) else { return nil }
            var cluster = [first]
            var j = first + 1
            while j < word.count, isVowel(word[j]) { cluster.append(j); j += 1 }
            if cluster.count > 1, first > 0, let prev = word[first - 1].base?.lowercased(),
               let cur = word[first].base?.lowercased(), (prev == "q" && cur == "u") || (prev == "g" && cur == "i") {
                cluster.removeFirst()
            }
            if let marked = cluster.last(where: { word[$0].shape != .none }) { return marked }
            if cluster.count == 1 { return cluster[0] }
            return j < word.count ? cluster[cluster.count - 1] : cluster[cluster.count - 2]
        }
        func retone() {
            guard wordTone != .none else { return }
            for i in word.indices where word[i].base != nil { word[i].tone = .none }
            if let p = placement() { word[p].tone = wordTone }
        }
        func render(_ c: Cell) -> Character {
            guard let b = c.base, c.shape != .none || c.tone != .none else { return c.literal }
            return InputMethodRecovery.composed[.init(base: b, shape: c.shape, tone: c.tone)] ?? c.literal
        }
        func commit() {
            for c in word { output.append(render(c)) }
            word = []
            wordTone = .none
        }
        func setTone(_ t: Tone) -> Bool {
            guard word.contains(where: isVowel) else { return false }
            if wordTone == t {
                // Pressing the same tone key twice undoes the tone and types the key itself.
                wordTone = .none
                for i in word.indices where word[i].base != nil { word[i].tone = .none }
                return false
            }
            wordTone = t
            retone()
            return true
        }
        func reshapeLast(where ok: (Character) -> Bool, to shape: Shape, adjacentOnly: Bool) -> Bool {
            let range = adjacentOnly ? Array(word.indices.suffix(1)) : Array(word.indices.reversed())
            for i in range {
                guard let b = word[i].base, word[i].shape == .none else { continue }
                if ok(Character(b.lowercased())) {
                    word[i].shape = shape
                    retone()
                    return true
                }
            }
            return false
        }
        func append(_ k: Character) {
            word.append(Cell(literal: k, base: k.isASCII ? k : nil))
            retone()
        }

        for k in text {
            let isASCIILetter = k.isASCII && k.isLetter
            switch method {
            case .telex:
                if isASCIILetter {
                    let l = Character(k.lowercased())
                    if "aeo".contains(l), reshapeLast(where: { $0 == l }, to: .circumflex, adjacentOnly: true) { continue }
                    if l == "d", reshapeLast(where: { $0 == "d" }, to: .stroke, adjacentOnly: true) { continue }
                    if l == "w", reshapeLast(where: { $0 == "a" }, to: .breve, adjacentOnly: true) { continue }
                    if l == "w", reshapeLast(where: { $0 == "o" || $0 == "u" }, to: .horn, adjacentOnly: true) { continue }
                    let tones: [Character: Tone] = ["s": .acute, "f": .grave, "r": .hook, "x": .tilde, "j": .dot]
                    if let t = tones[l], setTone(t) { continue }
                    if l == "w" {
                        word.append(Cell(literal: k, base: k == "W" ? "U" : "u", shape: .horn))
                        retone()
                        continue
                    }
                    append(k)
                    continue
                }
            case .vni:
                if isASCIILetter { append(k); continue }
                if !word.isEmpty, let d = k.wholeNumberValue, k.isASCII {
                    switch d {
                    case 1...5:
                        if setTone([.acute, .grave, .hook, .tilde, .dot][d - 1]) { continue }
                    case 6: if reshapeLast(where: { "aeo".contains($0) }, to: .circumflex, adjacentOnly: false) { continue }
                    case 7: if reshapeLast(where: { $0 == "o" || $0 == "u" }, to: .horn, adjacentOnly: false) { continue }
                    case 8: if reshapeLast(where: { $0 == "a" }, to: .breve, adjacentOnly: false) { continue }
                    case 9: if reshapeLast(where: { $0 == "d" }, to: .stroke, adjacentOnly: false) { continue }
                    default: break
                    }
                }
            case .viqr:
                if isASCIILetter {
                    if k.lowercased() == "d", reshapeLast(where: { $0 == "d" }, to: .stroke, adjacentOnly: true) { continue }
                    append(k)
                    continue
                }
                if !word.isEmpty {
                    let tones: [Character: Tone] = ["'": .acute, "`": .grave, "?": .hook, "~": .tilde, ".": .dot]
                    if let t = tones[k], setTone(t) { continue }
                    if k == "^", reshapeLast(where: { "aeo".contains($0) }, to: .circumflex, adjacentOnly: false) { continue }
                    if k == "(", reshapeLast(where: { $0 == "a" }, to: .breve, adjacentOnly: false) { continue }
                    if k == "+", reshapeLast(where: { $0 == "o" || $0 == "u" }, to: .horn, adjacentOnly: false) { continue }
                }
            }
            if k.isLetter {
                // A letter the scanner sent as Unicode joins the word but takes no keys.
                word.append(Cell(literal: k, base: nil))
                continue
            }
            commit()
            output.append(k)
        }
        commit()
        return output
    }
}
