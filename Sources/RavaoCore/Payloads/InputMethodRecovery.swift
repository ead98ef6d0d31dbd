import Foundation

/// The Vietnamese input methods whose rewriting of scanner keystrokes can be undone.
public enum VietnameseInputMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case telex
    case vni
    case viqr

    /// Name shown to staff.
    public var displayName: String {
        switch self {
        case .telex: "Telex"
        case .vni: "VNI"
        case .viqr: "VIQR"
        }
    }
}

/// What an input-method recovery undid, for the scan log and the station screen.
public struct InputMethodRecoveryNote: Sendable, Equatable, Hashable, Codable {
    /// The input method whose rewriting was undone.
    public var method: VietnameseInputMethod
    /// How many Vietnamese letters were turned back into the keystrokes that made them.
    public var repairedLetters: Int

    public init(method: VietnameseInputMethod, repairedLetters: Int) {
        self.method = method
        self.repairedLetters = repairedLetters
    }

    /// English summary, e.g. for a hint that the input method should be switched off.
    public var summary: String {
        "Undid \(method.displayName) input-method changes to \(repairedLetters) letter(s); switch the input method off."
    }

    /// Vietnamese summary.
    public var summaryVI: String {
        "Đã khôi phục \(repairedLetters) ký tự bị bộ gõ \(method.displayName) biến đổi; hãy tắt bộ gõ tiếng Việt."
    }
}

/// Best-effort reversal of Vietnamese input methods that rewrote a USB scanner's keystrokes.
///
/// A keyboard-wedge scanner "types" the QR text; with Telex, VNI or VIQR on, the IME turns
/// `aa` into `â`, `e1` into `é`, `o.` into `ọ`, and moves tones around the whole word. Nothing
/// here is an exact inverse (IMEs differ and some rewrites lose information), so this type only
/// proposes candidate originals, cheapest first, and the caller keeps the first one that parses
/// and validates.
public enum InputMethodRecovery {
    /// The diacritic that changes a letter's shape (hat, breve, horn, stroke).
    enum Shape: Int, Sendable, CaseIterable {
        case none, circumflex, breve, horn, stroke
    }

    /// The tone mark.
    enum Tone: Int, Sendable, CaseIterable {
        case none, acute, grave, hook, tilde, dot
    }

    /// A Vietnamese letter split into the ASCII key that started it and its marks.
    struct Letter: Sendable, Hashable {
        var base: Character
        var shape: Shape
        var tone: Tone
    }

    struct ComposeKey: Hashable, Sendable {
        var base: Character
        var shape: Shape
        var tone: Tone
    }

    /// Every Vietnamese letter with at least one mark, keyed by its character. Character equality
    /// is canonical equivalence, so decomposed (NFD) input finds its entry too.
    static let letters: [Character: Letter] = {
        var table: [Character: Letter] = [:]
        for (key, ch) in composed { table[ch] = Letter(base: key.base, shape: key.shape, tone: key.tone) }
        return table
    }()

    /// The inverse table: (base, shape, tone) → letter. Used by the forward simulation in tests.
    static let composed: [ComposeKey: Character] = {
        var table: [ComposeKey: Character] = [:]
        let toneMarks: [Tone: String] = [.acute: "\u{0301}", .grave: "\u{0300}", .hook: "\u{0309}",
                                         .tilde: "\u{0303}", .dot: "\u{0323}"]
        let shapeMarks: [Shape: String] = [.circumflex: "\u{0302}", .breve: "\u{0306}", .horn: "\u{031B}"]
        for base in "aAeEiIoOuUyY" {
            for shape in shapes(for: base) {
                for tone in Tone.allCases where !(shape == .none && tone == .none) {
                    let s = String(base) + (shapeMarks[shape] ?? "") + (toneMarks[tone] ?? "")
                    let nfc = s.precomposedStringWithCanonicalMapping
                    if nfc.count == 1, let ch = nfc.first { table[ComposeKey(base: base, shape: shape, tone: tone)] = ch }
                }
            }
        }
        table[ComposeKey(base: "d", shape: .stroke, tone: .none)] = "đ"
        table[ComposeKey(base: "D", shape: .stroke, tone: .none)] = "Đ"
        return table
    }()

    static func shapes(for base: Character) -> [Shape] {
        switch base.lowercased() {
        case "a": [.none, .circumflex, .breve]
        case "e": [.none, .circumflex]
        case "o": [.none, .circumflex, .horn]
        case "u": [.none, .horn]
        case "d": [.stroke]
        default: [.none]
        }
    }

    static func isVowel(_ ch: Character) -> Bool {
        switch ch {
        case "a", "e", "i", "o", "u", "y", "A", "E", "I", "O", "U", "Y": true
        default: letters[ch].map { $0.base.lowercased() != "d" } ?? false
        }
    }

    /// True when the text holds a letter with a Vietnamese diacritic, or `đ`.
    public static func containsVietnameseLetters(_ text: some StringProtocol) -> Bool {
        // Pure ASCII cannot contain one; the byte scan keeps the common case cheap.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return false }
        return text.contains { letters[$0] != nil }
    }

    /// Number of Vietnamese letters in the text.
    static func vietnameseLetterCount(_ text: some StringProtocol) -> Int {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return 0 }
        return text.reduce(0) { $0 + (letters[$1] != nil ? 1 : 0) }
    }

    // MARK: - Keys of each method

    static func toneKey(_ tone: Tone, _ method: VietnameseInputMethod, upper: Bool) -> Character? {
        let key: Character?
        switch (method, tone) {
        case (_, .none): key = nil
        case (.telex, .acute): key = "s"
        case (.telex, .grave): key = "f"
        case (.telex, .hook): key = "r"
        case (.telex, .tilde): key = "x"
        case (.telex, .dot): key = "j"
        case (.vni, .acute): key = "1"
        case (.vni, .grave): key = "2"
        case (.vni, .hook): key = "3"
        case (.vni, .tilde): key = "4"
        case (.vni, .dot): key = "5"
        case (.viqr, .acute): key = "'"
        case (.viqr, .grave): key = "`"
        case (.viqr, .hook): key = "?"
        case (.viqr, .tilde): key = "~"
        case (.viqr, .dot): key = "."
        }
        guard let key else { return nil }
        return upper ? Character(key.uppercased()) : key
    }

    /// One way a marked letter may have been typed: fixed keystrokes in place of the letter, plus
    /// an optional modifier key typed somewhere after it (VNI/VIQR act on the nearest fitting
    /// vowel, so that key need not be adjacent).
    struct ShapeSpelling {
        var fixed: [Character]
        var floatingKey: Character?
        var cost: Int
    }

    static func shapeSpellings(_ l: Letter, _ method: VietnameseInputMethod) -> [ShapeSpelling] {
        let b = l.base
        let upper = b.isUppercase
        func same(_ c: Character) -> Character { upper ? Character(c.uppercased()) : Character(c.lowercased()) }
        func other(_ c: Character) -> Character { upper ? Character(c.lowercased()) : Character(c.uppercased()) }
        switch (method, l.shape) {
        case (_, .none):
            return [ShapeSpelling(fixed: [b], floatingKey: nil, cost: 0)]
        case (.telex, .circumflex), (.telex, .stroke), (.viqr, .stroke):
            var s = [ShapeSpelling(fixed: [b, same(b)], floatingKey: nil, cost: 0),
                     ShapeSpelling(fixed: [b, other(b)], floatingKey: nil, cost: 2)]
            if method == .viqr { s.append(ShapeSpelling(fixed: [b, "-"], floatingKey: nil, cost: 1)) }
            return s
        case (.telex, .breve), (.telex, .horn):
            var s = [ShapeSpelling(fixed: [b, same("w")], floatingKey: nil, cost: 0),
                     ShapeSpelling(fixed: [b, other("w")], floatingKey: nil, cost: 2)]
            // Telex turns a lone w into ư.
            if b.lowercased() == "u" { s.append(ShapeSpelling(fixed: [same("w")], floatingKey: nil, cost: 1)) }
            return s
        case (.vni, _):
            let key: Character = switch l.shape {
            case .circumflex: "6"
            case .horn: "7"
            case .breve: "8"
            default: "9"
            }
            return [ShapeSpelling(fixed: [b], floatingKey: key, cost: 0)]
        case (.viqr, _):
            let key: Character = switch l.shape {
            case .circumflex: "^"
            case .breve: "("
            default: "+"
            }
            return [ShapeSpelling(fixed: [b], floatingKey: key, cost: 0)]
        }
    }

    // MARK: - Candidates

    /// How far past its natural place a moved key is looked for; IMEs move tones within a syllable.
    static let window = 8
    /// Cap on spellings considered for one word.
    static let perWordLimit = 24

    /// Candidate originals of one word (a run of letters), cheapest first; empty when unmarked.
    static func wordCandidates(_ word: [Character], _ method: VietnameseInputMethod) -> [(text: [Character], cost: Int)] {
        let marked = word.reduce(0) { $0 + (letters[$1] != nil ? 1 : 0) }
        guard marked > 0 else { return [] }
        // Real words are short; a long run of letters gets only its most natural spelling so
        // the search stays linear in the input.
        if word.count > longWord || marked > 6 { return [(naturalSpelling(word, method), 0)] }
        // Skeletons: each marked letter replaced by one of its shape spellings.
        struct Skeleton {
            var chars: [Character] = []
            var cost = 0
            // (key, earliest slot, preferred slot, order) for keys typed after a letter.
            var floating: [(key: Character, earliest: Int, preferred: Int)] = []
            var pendingTones: [(key: Character, preferred: Int)] = []
        }
        var skeletons = [Skeleton()]
        for ch in word {
            guard let l = letters[ch] else {
                for i in skeletons.indices { skeletons[i].chars.append(ch) }
                continue
            }
            let spellings = shapeSpellings(l, method)
            var next: [Skeleton] = []
            for sk in skeletons {
                for sp in spellings {
                    var s = sk
                    s.chars += sp.fixed
                    s.cost += sp.cost
                    let after = s.chars.count
                    if let k = sp.floatingKey { s.floating.append((k, after, after)) }
                    if let tk = toneKey(l.tone, method, upper: l.base.isUppercase) { s.pendingTones.append((tk, after)) }
                    next.append(s)
                }
            }
            next.sort { $0.cost < $1.cost }
            skeletons = Array(next.prefix(perWordLimit))
        }

        var results: [(text: [Character], cost: Int)] = []
        for sk in skeletons {
            // A tone key may have been typed anywhere after the word's first vowel: the IME places
            // the tone by rule, not where the key fell.
            let firstVowelEnd = (sk.chars.firstIndex(where: isVowel).map { $0 + 1 }) ?? 0
            var keys = sk.floating
            for t in sk.pendingTones { keys.append((t.key, min(firstVowelEnd, t.preferred), t.preferred)) }
            let n = sk.chars.count
            var options: [[(slot: Int, cost: Int)]] = keys.map { k in
                let hi = min(n, k.preferred + window)
                var o: [(slot: Int, cost: Int)] = [(k.preferred, 0)]
                if k.preferred + 1 <= hi { for s in (k.preferred + 1)...hi { o.append((s, s - k.preferred)) } }
                if k.earliest < k.preferred { for s in k.earliest..<k.preferred { o.append((s, 2 * (k.preferred - s))) } }
                return o
            }
            // Keep the combination count bounded: with many keys only the natural places are tried.
            var product = 1
            for o in options { product = product > 4096 ? product : product * o.count }
            if product > 512 { options = options.map { [$0[0]] } }

            var combos: [(slots: [Int], cost: Int)] = [([], sk.cost)]
            for o in options {
                var next: [(slots: [Int], cost: Int)] = []
                for c in combos { for (slot, cost) in o { next.append((c.slots + [slot], c.cost + cost)) } }
                next.sort { $0.cost < $1.cost }
                combos = Array(next.prefix(perWordLimit * 2))
            }
            for c in combos {
                // Keys sharing a slot were typed in some order: hat before tone (`a62`) is the
                // usual one, tone before hat (`a26`) the alternative, one step dearer.
                let hasTie = Set(c.slots).count < c.slots.count
                for reversedTies in hasTie ? [false, true] : [false] {
                    var text = sk.chars
                    // Insert from the back so earlier slots stay valid.
                    let order = c.slots.enumerated().sorted {
                        if $0.element != $1.element { return $0.element > $1.element }
                        return reversedTies ? $0.offset < $1.offset : $0.offset > $1.offset
                    }
                    for (idx, slot) in order { text.insert(keys[idx].key, at: slot) }
                    results.append((text, c.cost + (reversedTies ? 1 : 0)))
                }
            }
        }
        results.sort { $0.cost < $1.cost }
        var seen = Set<[Character]>()
        var unique: [(text: [Character], cost: Int)] = []
        for r in results where seen.insert(r.text).inserted {
            unique.append(r)
            if unique.count == perWordLimit { break }
        }
        return unique
    }

    /// Beyond this many letters a word gets a single candidate.
    static let longWord = 24

    /// Each marked letter spelled the cheapest way, its keys typed right after it.
    static func naturalSpelling(_ word: [Character], _ method: VietnameseInputMethod) -> [Character] {
        var out: [Character] = []
        out.reserveCapacity(word.count * 2)
        for ch in word {
            guard let l = letters[ch], let sp = shapeSpellings(l, method).first else { out.append(ch); continue }
            out += sp.fixed
            if let k = sp.floatingKey { out.append(k) }
            if let t = toneKey(l.tone, method, upper: l.base.isUppercase) { out.append(t) }
        }
        return out
    }

    /// Candidate originals of `text` under `method`, cheapest first, at most `limit`; empty when
    /// the text has no Vietnamese letters. Work is bounded for long inputs.
    public static func candidates(for text: String, method: VietnameseInputMethod, limit: Int = 64) -> [String] {
        guard containsVietnameseLetters(text) else { return [] }
        // Split into words (runs of letters) and the rest, which IMEs leave alone.
        var segments: [(chars: [Character], options: [(text: [Character], cost: Int)])] = []
        var current: [Character] = []
        var inWord = false
        func flush() {
            guard !current.isEmpty else { return }
            let opts = inWord ? wordCandidates(current, method) : []
            segments.append((current, opts))
            current = []
        }
        for ch in text {
            let letter = ch.isLetter
            if letter != inWord { flush(); inWord = letter }
            current.append(ch)
        }
        flush()

        // Every candidate costs O(text) to build, so long texts get fewer of them.
        let budget = max(1, min(limit, 400_000 / max(1, text.utf8.count)))
        // Beam over the marked words with parent links, so no choice vector is ever copied.
        struct Node { var parent: Int; var option: Int; var cost: Int }
        var stages: [[Node]] = []
        var beam = [Node(parent: -1, option: -1, cost: 0)]
        var markedSegments: [Int] = []
        for (si, seg) in segments.enumerated() where !seg.options.isEmpty {
            markedSegments.append(si)
            var next: [Node] = []
            next.reserveCapacity(beam.count * seg.options.count)
            for (pi, p) in beam.enumerated() {
                for (oi, o) in seg.options.enumerated() { next.append(Node(parent: pi, option: oi, cost: p.cost + o.cost)) }
            }
            next.sort { $0.cost < $1.cost }
            stages.append(beam)
            beam = Array(next.prefix(budget))
        }
        guard !markedSegments.isEmpty else { return [] }
        stages.append(beam)

        var out: [String] = []
        out.reserveCapacity(beam.count)
        for leaf in beam.indices {
            // Walk back to collect the option chosen for every marked segment.
            var choice = [Int](repeating: 0, count: markedSegments.count)
            var node = stages[stages.count - 1][leaf]
            var level = markedSegments.count - 1
            while level >= 0 {
                choice[level] = node.option
                node = stages[level][node.parent]
                level -= 1
            }
            var s = ""
            s.reserveCapacity(text.utf8.count + 8)
            var m = 0
            for (si, seg) in segments.enumerated() {
                if m < markedSegments.count && markedSegments[m] == si {
                    s.append(contentsOf: seg.options[choice[m]].text)
                    m += 1
                } else {
                    s.append(contentsOf: seg.chars)
                }
            }
            out.append(s)
        }
        return out
    }

    /// Tries each method's candidates in order and returns the first that `accept` takes.
    public static func recover(
        _ text: String,
        methods: [VietnameseInputMethod] = VietnameseInputMethod.allCases,
        limit: Int = 64,
        accept: (String) -> Bool
    ) -> (text: String, method: VietnameseInputMethod)? {
        guard containsVietnameseLetters(text) else { return nil }
        for method in methods {
            for candidate in candidates(for: text, method: method, limit: limit) where accept(candidate) {
                return (candidate, method)
            }
        }
        return nil
    }
}
