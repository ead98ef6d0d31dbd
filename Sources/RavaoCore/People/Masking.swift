/// How personal data is shown to staff who are not entitled to see it in full (seed 000 §2a, S4):
/// family and middle names kept, the given name replaced by `***`; phones keep seven digits.
public enum Masking {
    /// "Nguyễn Văn An" → "Nguyễn Văn ***"; a single word → "***".
    public static func name(_ fullName: String) -> String {
        // Split on Unicode scalars, where splitting by `Character` (grapheme breaking) was 1.3 % of a
        // scan's CPU (issue 16). Below U+0300 and in Latin Extended Additional (Vietnamese letters
        // precomposed) every scalar is a character of its own, so the two split alike; a name with any
        // other scalar (a combining mark, a joiner) takes the grapheme way.
        let scalars = fullName.unicodeScalars
        var words: [String] = []
        var word = String.UnicodeScalarView()
        for scalar in scalars {
            guard scalar.value < 0x300 || (0x1E00...0x1EFF).contains(scalar.value) else { return graphemeName(fullName) }
            if scalar.properties.isWhitespace {
                if !word.isEmpty { words.append(String(word)); word = String.UnicodeScalarView() }
            } else {
                word.append(scalar)
            }
        }
        if !word.isEmpty { words.append(String(word)) }
        guard words.count > 1 else { return words.isEmpty ? "" : "***" }
        return words.dropLast().joined(separator: " ") + " ***"
    }

    /// The definition: words split on white-space characters.
    static func graphemeName(_ fullName: String) -> String {
        let words = fullName.split(whereSeparator: { $0.isWhitespace })
        guard words.count > 1 else { return words.isEmpty ? "" : "***" }
        return (words.dropLast().joined(separator: " ")) + " ***"
    }
}
