import Crypto
import Foundation

/// The outcome of recognising one scan: never an error, always something to show.
public enum PayloadRecognition: Sendable, Equatable, Hashable, Codable {
    case recognized(ScannedPayload)
    case unrecognized(UnrecognizedReason)

    /// The payload, when recognised.
    public var payload: ScannedPayload? {
        if case .recognized(let p) = self { return p }
        return nil
    }

    /// The reason, when not recognised.
    public var reason: UnrecognizedReason? {
        if case .unrecognized(let r) = self { return r }
        return nil
    }
}

/// Recognises what a door-scanning station received: Ravao tokens, national QRs, BHYT and CCCD
/// cards, typed phone numbers, and Ravao or foreign URLs; undoes Vietnamese input methods.
public struct PayloadRecognizer: Sendable {
    // SymmetricKey is not Sendable in swift-crypto 3.x on Linux, so the recogniser keeps the key
    // bytes and rebuilds keys for the (rare) token verifications.
    private let tokenKeyBytes: [[UInt8]]
    private let ownHosts: Set<String>

    /// `tokenKey` verifies personal tokens; `ownHosts` (e.g. `ravao.example.vn`) mark this
    /// server's own links so a scanned place poster can be named as such.
    public init(tokenKey: SymmetricKey, ownHosts: [String] = []) {
        self.init(tokenKeys: [tokenKey], ownHosts: ownHosts)
    }

    /// Like `init(tokenKey:ownHosts:)`, accepting tokens signed by any of several keys (rotation).
    public init(tokenKeys: [SymmetricKey], ownHosts: [String] = []) {
        self.tokenKeyBytes = tokenKeys.map { $0.withUnsafeBytes { Array($0) } }
        self.ownHosts = Set(ownHosts.compactMap(Self.normaliseHost))
    }

    /// Recognises one scan. Never throws or traps; time is linear in the input (which is capped).
    public func recognize(_ raw: String) -> PayloadRecognition {
        let text = PayloadText.clean(raw)
        guard !text.isEmpty else { return .unrecognized(.empty) }
        let bytes = text.utf8.count
        guard bytes <= PayloadText.maximumUTF8Length else { return .unrecognized(.tooLong(bytes: bytes)) }

        // Card fields are split once, for the shape, the parser and the input-method check.
        let fields = text.utf8.contains(UInt8(ascii: "|")) ? PayloadText.fields(text) : nil
        let shape = classify(text, fields: fields)
        let direct = interpret(text, shape: shape, raw: raw, fields: fields)
        guard hasVietnameseLettersWhereASCIIExpected(text, shape: shape, fields: fields) else { return direct }
        // A link with a clean host is what its host says; Vietnamese in a path is ordinary.
        if shape == .url, let host = urlParts(text)?.host, !InputMethodRecovery.containsVietnameseLetters(host) {
            return direct
        }

        if let recovered = recover(text, shape: shape, raw: raw) { return recovered }
        if shape.kind != nil || shape == .url || Self.looksCodeLike(text) {
            return .unrecognized(.inputMethodActive(suspected: shape.kind))
        }
        return direct
    }

    private var tokenKeys: [SymmetricKey] { tokenKeyBytes.map { SymmetricKey(data: $0) } }

    // MARK: - Shape

    /// The format a text most resembles, judged on features that input methods leave intact
    /// (digits, separators, `$`, prefixes), so a mangled scan is still routed correctly.
    enum Shape: Equatable {
        case token, url, bhyt, cccd, national, digits, bareBHYT, unknown

        var kind: PayloadKind? {
            switch self {
            case .token: .ravao
            case .bhyt, .bareBHYT: .bhyt
            case .cccd: .cccd
            case .national: .national
            case .digits: .phone
            case .url, .unknown: nil
            }
        }
    }

    func classify(_ text: String, fields: [Substring]? = nil) -> Shape {
        if PersonalToken.hasTokenPrefix(text) { return .token }
        if urlParts(text) != nil { return .url }
        if text.utf8.contains(UInt8(ascii: "|")) { return Self.classifyFields(fields ?? PayloadText.fields(text)) }
        if ScannedPhone.looksLikePhone(text) { return .digits }
        if text.utf8.count == 15, BHYTCard.isValidCardNumber(text) { return .bareBHYT }
        return .unknown
    }

    static func classifyFields(_ f: [Substring]) -> Shape {
        let n = f.count
        guard n <= 40 else { return .unknown }
        func at(_ i: Int) -> Substring { i < n ? f[i] : "" }
        let lastNonEmpty = f.last(where: { !$0.isEmpty }) ?? ""

        var bhyt = 0
        if lastNonEmpty == "$" { bhyt += 3 }
        if BHYTCard.fieldCounts.contains(n) { bhyt += 1 }
        if BHYTCard.isValidCardNumber(at(0)) { bhyt += 2 }
        if at(2).utf8.contains(UInt8(ascii: "/")) { bhyt += 1 }
        if PayloadText.isHexString(at(1)) && at(1).utf8.count % 2 == 0 { bhyt += 1 }

        var cccd = 0
        let id = at(0).filter { $0 != " " }
        if CCCDCard.fieldCounts.contains(n) { cccd += 1 }
        if PayloadText.isAllASCIIDigits(id) && (9...13).contains(id.count) { cccd += 2 }
        if at(3).utf8.count == 8 && PayloadText.isAllASCIIDigits(at(3)) { cccd += 1 }
        if case .success(.some) = CCCDCard.parseGender(at(4)) { cccd += 1 }

        // Separators are looked for as bytes: `Substring.contains(String)` is Foundation's, an NSString
        // round trip per field on Linux (issue 16).
        var national = 0
        if (5...7).contains(n) { national += 1 }
        if PayloadText.isAllASCIIDigits(at(4)) && at(4).utf8.count >= 6 { national += 1 }
        if at(3) == "0" || at(3) == "1" { national += 1 }
        if at(2).utf8.contains(UInt8(ascii: "-")) && at(2).utf8.count >= 8 { national += 1 }
        if at(0).utf8.contains(UInt8(ascii: "*")) { national += 1 }
        if n >= 6 && at(5).utf8.contains(UInt8(ascii: "<")) { national += 1 }

        let best = max(bhyt, cccd, national)
        guard best >= 3 else { return .unknown }
        if best == bhyt { return .bhyt }
        if best == cccd { return .cccd }
        return .national
    }

    // MARK: - Direct interpretation

    func interpret(_ text: String, shape: Shape, raw: String, fields: [Substring]? = nil) -> PayloadRecognition {
        switch shape {
        case .token:
            switch PersonalToken.verify(text, keys: tokenKeys) {
            case .success(let t):
                return .recognized(ScannedPayload(kind: .ravao, raw: raw, ravaoPersonID: t.personId, ravaoTokenVersion: t.version))
            case .failure(.malformed): return .unrecognized(.tokenMalformed)
            case .failure(.unsupportedVersion): return .unrecognized(.tokenUnsupportedVersion)
            case .failure(.badSignature): return .unrecognized(.tokenBadSignature)
            }
        case .url:
            return interpretURL(text, raw: raw)
        case .bhyt:
            return Self.lift(BHYTCard.parse(fields: fields ?? PayloadText.fields(text)).map { $0.payload(raw: raw) })
        case .cccd:
            return Self.lift(CCCDCard.parse(fields: fields ?? PayloadText.fields(text)).map { $0.payload(raw: raw) })
        case .national:
            return Self.lift(NationalQR.parse(fields: fields ?? PayloadText.fields(text)).map { $0.payload(raw: raw) })
        case .digits:
            // A bare 12-digit number with a leading 0 cannot be a phone number (those have 10
            // or 11 digits); it is a CCCD number typed or scanned on its own.
            let digits = text.filter(PayloadText.isASCIIDigit)
            if text.first != "+", digits.count == 12, digits.first == "0",
               text.allSatisfy({ PayloadText.isASCIIDigit($0) || $0 == " " }) {
                return Self.lift(CCCDCard.validateID(digits).map { ScannedPayload(kind: .cccd, raw: raw, cccdNumber: $0) })
            }
            return Self.lift(ScannedPhone.parse(text).map { ScannedPayload(kind: .phone, raw: raw, phone: $0) })
        case .bareBHYT:
            let number = text.uppercased()
            return .recognized(ScannedPayload(kind: .bhyt, raw: raw, bhytCardNumber: number, bhxhNumber: String(number.suffix(10))))
        case .unknown:
            return .unrecognized(.unknownFormat(excerpt: PayloadText.excerpt(text)))
        }
    }

    private static func lift(_ r: Result<ScannedPayload, UnrecognizedReason>) -> PayloadRecognition {
        switch r {
        case .success(let p): .recognized(p)
        case .failure(let e): .unrecognized(e)
        }
    }

    // MARK: - URLs

    /// Host (lower-cased, with port if any) and the path-and-query, for `http(s)://` links and
    /// for scheme-less links to one of our own hosts.
    func urlParts(_ text: String) -> (host: String, rest: Substring)? {
        var rest: Substring
        if Self.hasSchemePrefix(text, "https://") {
            rest = text.dropFirst(8)
        } else if Self.hasSchemePrefix(text, "http://") {
            rest = text.dropFirst(7)
        } else {
            // A card's payload has no "/" before its first "|": judged on bytes, not characters.
            guard !ownHosts.isEmpty, let slash = text.utf8.firstIndex(of: UInt8(ascii: "/")),
                  !text.utf8[..<slash].contains(UInt8(ascii: "|")), ownHosts.contains(text[..<slash].lowercased()) else { return nil }
            rest = text[...]
        }
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<end]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        rest = rest[end...]
        return (authority.lowercased(), rest)
    }

    func interpretURL(_ text: String, raw: String) -> PayloadRecognition {
        guard let (hostPort, rest) = urlParts(text), !hostPort.isEmpty else {
            return .unrecognized(.unknownFormat(excerpt: PayloadText.excerpt(text)))
        }
        let host = hostPort.split(separator: ":", maxSplits: 1).first.map(String.init) ?? hostPort
        guard ownHosts.contains(hostPort) || ownHosts.contains(host) else {
            return .unrecognized(.foreignURL(host: PayloadText.excerpt(hostPort, maxCharacters: 64)))
        }
        let pathEnd = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let components = rest[..<pathEnd].split(separator: "/")
        if components.count >= 2, components[0] == "c", !components[1].isEmpty { return .unrecognized(.placePoster) }
        // A personal token inside one of our links (path segment or query value) is still a
        // personal token; the link form lets a phone camera open it.
        let pieces = components + rest[pathEnd...].split(whereSeparator: { "?&=#".contains($0) })
        for piece in pieces where PersonalToken.hasTokenPrefix(piece) {
            let candidate = String(piece).removingPercentEncoding ?? String(piece)
            if case .success(let t) = PersonalToken.verify(candidate, keys: tokenKeys) {
                return .recognized(ScannedPayload(kind: .ravao, raw: raw, ravaoPersonID: t.personId, ravaoTokenVersion: t.version))
            }
        }
        return .unrecognized(.ravaoLinkNotPersonal)
    }

    static func normaliseHost(_ host: String) -> String? {
        var h = Substring(host.lowercased())
        for scheme in ["https://", "http://"] where h.hasPrefix(scheme) { h = h.dropFirst(scheme.count) }
        while h.hasSuffix("/") { h = h.dropLast() }
        return h.isEmpty ? nil : String(h)
    }

    // MARK: - Input-method recovery

    /// Fields where a Vietnamese letter can only be an input method's doing. The national QR's
    /// name is free text. A CCCD has none: its ASCII fields are digits, which IMEs never turn
    /// into letters, so letters there mean a corrupt or shifted card, not an IME.
    static func isASCIIField(_ shape: Shape, _ index: Int) -> Bool {
        switch shape {
        case .cccd: false
        case .national: index != 1
        default: true
        }
    }

    /// `text` starts with `scheme` (lower-case ASCII), in any case.
    static func hasSchemePrefix(_ text: String, _ scheme: StaticString) -> Bool {
        var bytes = text.utf8.makeIterator()
        let expected = UnsafeBufferPointer(start: scheme.utf8Start, count: scheme.utf8CodeUnitCount)
        for want in expected {
            guard let byte = bytes.next() else { return false }
            let lower = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            if lower != want { return false }
        }
        return true
    }

    func hasVietnameseLettersWhereASCIIExpected(_ text: String, shape: Shape, fields: [Substring]? = nil) -> Bool {
        switch shape {
        case .bhyt, .cccd, .national:
            // Only the short ASCII fields are looked at: a card's name and address are Vietnamese
            // on every scan, and scanning them letter by letter cost more than parsing the card.
            return (fields ?? PayloadText.fields(text)).enumerated().contains { i, f in
                Self.isASCIIField(shape, i) && InputMethodRecovery.containsVietnameseLetters(f)
            }
        default:
            return InputMethodRecovery.containsVietnameseLetters(text)
        }
    }

    func recover(_ text: String, shape: Shape, raw: String) -> PayloadRecognition? {
        switch shape {
        case .bhyt, .cccd, .national:
            return recoverFields(text, shape: shape, raw: raw)
        case .url, .unknown:
            // Undoing an IME only rewrites letter runs; the features that decide the shape
            // (prefixes, `|`, digits, `$`) survive it, so an unshaped text stays unshaped. The
            // one exception is a scheme-less link to our own host whose name was mangled.
            return recoverOwnHost(text, raw: raw)
        case .token, .digits, .bareBHYT:
            // Every spelling of a Vietnamese letter contains a vowel or `d`, and the token
            // alphabet has neither, so no repaired token could verify; digits hold no letters.
            return nil
        }
    }

    /// Links: only the host decides what a link is (a place poster's code may be anything), so
    /// only a mangled host is repaired, and only an own host counts as a repair.
    private func recoverOwnHost(_ text: String, raw: String) -> PayloadRecognition? {
        let lower = text.prefix(8).lowercased()
        let scheme = lower.hasPrefix("https://") ? 8 : lower.hasPrefix("http://") ? 7 : 0
        let afterScheme = text.dropFirst(scheme)
        let end = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let host = String(afterScheme[..<end])
        let longestHost = ownHosts.map(\.count).max() ?? 0
        guard !host.isEmpty, host.count <= longestHost + 8, InputMethodRecovery.containsVietnameseLetters(host),
              scheme > 0 || end < afterScheme.endIndex else { return nil }
        for method in VietnameseInputMethod.allCases {
            for candidate in InputMethodRecovery.candidates(for: host, method: method, limit: 64)
            where ownHosts.contains(candidate.lowercased()) {
                let rebuilt = String(text.prefix(scheme)) + candidate + afterScheme[end...]
                switch interpret(rebuilt, shape: classify(rebuilt), raw: raw) {
                case .recognized(var p):
                    p.wasRecoveredFromInputMethod = true
                    p.recovery = InputMethodRecoveryNote(method: method, repairedLetters: InputMethodRecovery.vietnameseLetterCount(host))
                    return .recognized(p)
                case let other:
                    return other
                }
            }
        }
        return nil
    }

    /// Card formats: each ASCII field is repaired on its own against that field's own rule, so
    /// the search never multiplies the ambiguities of different fields.
    private func recoverFields(_ text: String, shape: Shape, raw: String) -> PayloadRecognition? {
        let original = text.split(separator: "|", omittingEmptySubsequences: false)
        for method in VietnameseInputMethod.allCases {
            var fields = original.map(String.init)
            var repaired = 0
            var failed = false
            for i in fields.indices where Self.isASCIIField(shape, i) && InputMethodRecovery.containsVietnameseLetters(fields[i]) {
                let candidates = InputMethodRecovery.candidates(for: fields[i], method: method, limit: 64)
                repaired += InputMethodRecovery.vietnameseLetterCount(fields[i])
                if let pick = candidates.first(where: { Self.fieldAcceptable(shape, i, $0) }) {
                    fields[i] = pick
                } else if shape == .bhyt && i == 13 {
                    // The issuer check value is only kept, never used, and VNI often mangles
                    // it beyond repair: drop it rather than lose the whole card.
                    fields[i] = ""
                } else {
                    failed = true
                    break
                }
            }
            if failed { continue }
            let rebuilt = fields.joined(separator: "|")
            if case .recognized(var p) = interpret(rebuilt, shape: classify(rebuilt), raw: raw),
               !hasVietnameseLettersWhereASCIIExpected(rebuilt, shape: shape) {
                p.wasRecoveredFromInputMethod = true
                p.recovery = InputMethodRecoveryNote(method: method, repairedLetters: repaired)
                return .recognized(p)
            }
        }
        return nil
    }

    /// Whether a repaired field satisfies its own format rule.
    static func fieldAcceptable(_ shape: Shape, _ index: Int, _ candidate: String) -> Bool {
        guard !InputMethodRecovery.containsVietnameseLetters(candidate) else { return false }
        let v = PayloadText.trimField(Substring(candidate))
        switch (shape, index) {
        case (.bhyt, 0):
            return BHYTCard.isValidCardNumber(v)
        case (.bhyt, 1), (.bhyt, 4), (.bhyt, 10), (.bhyt, 15):
            if v == "-" || v.isEmpty { return true }
            guard let decoded = PayloadText.decodeHexUTF8(v) else { return false }
            return isPlausibleText(decoded)
        case (.bhyt, 2), (.bhyt, 6), (.bhyt, 7), (.bhyt, 8), (.bhyt, 12):
            return DateFieldParse.slashed(v) != .invalid
        case (.bhyt, 13):
            // `16 hex chars-4 digits`: the shape is all a repair can be checked against.
            let parts = v.split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0].utf8.count == 16 && PayloadText.isHexString(parts[0])
                && parts[1].utf8.count == 4 && PayloadText.isAllASCIIDigits(parts[1])
        case (.national, 2):
            return DateFieldParse.masked(v) != .invalid
        case (.national, 4):
            return !v.isEmpty && v.allSatisfy { PayloadText.isASCIIDigit($0) || PayloadText.isASCIILetter($0) }
        case (.cccd, _):
            return v.allSatisfy { PayloadText.isASCIIDigit($0) || $0 == " " }
        default:
            return v.allSatisfy(\.isASCII)
        }
    }

    /// Names and addresses on Vietnamese cards use the Vietnamese alphabet, digits, spaces and a
    /// little punctuation; a wrong repair of hex decodes to invalid UTF-8 or to stray letters
    /// such as `æ` or `Ʈ`, which this rejects. Only used to choose among repairs.
    static func isPlausibleText(_ s: String) -> Bool {
        s.allSatisfy { ch in
            if PayloadText.isASCIILetter(ch) || PayloadText.isASCIIDigit(ch) { return true }
            if InputMethodRecovery.letters[ch] != nil || ch == "Ð" || ch == "ð" { return true }
            return " ,.-/'()&#:;".contains(ch)
        }
    }

    /// A scan with no spaces and mostly ASCII is a code, not prose someone encoded in a QR.
    static func looksCodeLike(_ text: String) -> Bool {
        var total = 0, ascii = 0
        for ch in text {
            if ch.isWhitespace { return false }
            total += 1
            if ch.isASCII { ascii += 1 }
        }
        return total >= 6 && ascii * 10 >= total * 6
    }
}
