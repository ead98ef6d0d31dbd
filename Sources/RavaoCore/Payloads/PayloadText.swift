import Foundation

/// Small, allocation-light text helpers shared by the payload parsers.
enum PayloadText {
    /// Upper bound on what we try to parse. The largest QR (version 40, byte mode) holds 2,953
    /// bytes; a generous margin still keeps a pasted novel from costing real time.
    static let maximumUTF8Length = 8_192

    /// Removes what scanners and clipboards add around a payload: BOM, zero-width marks, CR/LF/Tab,
    /// spaces, and an AIM symbology prefix (`]Q1`) that some scanners are configured to send.
    static func clean(_ raw: String) -> String {
        // Most scans have nothing to remove: a printable ASCII byte at each end is a scalar that is
        // kept, and only a leading `]` can start an AIM prefix. Rebuilding the string scalar by
        // scalar cost a percent of a scan's CPU (issue 16).
        if let first = raw.utf8.first, let last = raw.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last),
           first != UInt8(ascii: "]") {
            return raw
        }
        var scalars = Substring(raw).unicodeScalars
        trim(&scalars)
        // One AIM prefix at most: a loop here would let "]Q1]Q1…" cost quadratic time.
        if scalars.starts(with: "]Q".unicodeScalars), let third = scalars.dropFirst(2).first {
            if third.value >= 0x30 && third.value <= 0x39 {
                scalars = scalars.dropFirst(3)
                trim(&scalars)
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func trim(_ scalars: inout Substring.UnicodeScalarView) {
        while let first = scalars.first, isTrimmable(first) { scalars.removeFirst() }
        while let last = scalars.last, isTrimmable(last) { scalars.removeLast() }
    }

    private static func isTrimmable(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060: return true
        default: return s.properties.isWhitespace || s.properties.generalCategory == .control
        }
    }

    /// A short excerpt that is safe to show and log: control, format and bidi characters are
    /// replaced, so a crafted QR cannot reorder or hide text in the station UI.
    static func excerpt(_ text: some StringProtocol, maxCharacters: Int = 24) -> String {
        var out = ""
        var count = 0
        for ch in text {
            if count == maxCharacters { out += "…"; break }
            let safe = ch.unicodeScalars.allSatisfy { s in
                let cat = s.properties.generalCategory
                return cat != .control && cat != .format && cat != .lineSeparator
                    && cat != .paragraphSeparator && cat != .surrogate && cat != .privateUse
                    && cat != .unassigned
            }
            out.append(safe ? ch : "·")
            count += 1
        }
        return out
    }

    static func isASCIIDigit(_ ch: Character) -> Bool {
        guard let a = ch.asciiValue else { return false }
        return a >= 0x30 && a <= 0x39
    }

    static func isASCIILetter(_ ch: Character) -> Bool {
        guard let a = ch.asciiValue else { return false }
        return (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A)
    }

    static func isAllASCIIDigits(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isHexString(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
        }
    }

    /// Trims plain spaces and tabs only: inner field values never legitimately start or end with them.
    static func trimField(_ s: Substring) -> Substring {
        var t = s
        while let f = t.first, f == " " || f == "\t" || f == "\u{00A0}" { t.removeFirst() }
        while let l = t.last, l == " " || l == "\t" || l == "\u{00A0}" { t.removeLast() }
        return t
    }

    /// `|`-separated fields, trimmed; empty tails are kept because the field count matters.
    /// Split on the `|` byte: every cut then falls on a scalar boundary, and splitting by Character
    /// walked the grapheme breaks of every name and address (issue 16).
    static func fields(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false).map { trimField(Substring($0)) }
    }

    /// Decodes hex of UTF-8 bytes into text; nil when it is not hex, not UTF-8, or holds control
    /// characters (which real names and addresses never contain).
    static func decodeHexUTF8(_ s: some StringProtocol) -> String? {
        let utf8 = Array(s.utf8)
        guard !utf8.isEmpty, utf8.count % 2 == 0, isHexString(s) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            bytes.append(hexValue(utf8[i]) << 4 | hexValue(utf8[i + 1]))
            i += 2
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let clean = text.unicodeScalars.allSatisfy { s in
            let cat = s.properties.generalCategory
            return cat != .control && cat != .format && cat != .unassigned && cat != .privateUse
        }
        return clean ? text.precomposedStringWithCanonicalMapping : nil
    }

    private static func hexValue(_ b: UInt8) -> UInt8 {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        default: b - 0x61 + 10
        }
    }

    /// A free-text value (name, address): nil when absent or a placeholder dash.
    static func optionalText(_ s: Substring) -> String? {
        if s.isEmpty || s == "-" { return nil }
        return nfc(s)
    }

    /// NFC, without Foundation when the text is NFC already: Latin letters below U+0300 and
    /// Vietnamese's precomposed letters (U+1E00–U+1EFF) are their own composition, with no combining
    /// mark to reorder or join. Foundation's normalisation, a CFString round trip, was 1.5 % of a
    /// scan's CPU for a card's name and address (issue 16). `PayloadTextTests` checks the range.
    static func nfc(_ s: some StringProtocol) -> String {
        if s.unicodeScalars.allSatisfy({ $0.value < 0x300 || (0x1E00...0x1EFF).contains($0.value) }) { return String(s) }
        return String(s).precomposedStringWithCanonicalMapping
    }
}
