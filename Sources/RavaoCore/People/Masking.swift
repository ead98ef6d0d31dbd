/// How personal data is shown to staff who are not entitled to see it in full (seed 000 §2a, S4):
/// family and middle names kept, the given name replaced by `***`; phones keep seven digits.
public enum Masking {
    /// "Nguyễn Văn An" → "Nguyễn Văn ***"; a single word → "***".
    public static func name(_ fullName: String) -> String {
        let words = fullName.split(whereSeparator: { $0.isWhitespace })
        guard words.count > 1 else { return words.isEmpty ? "" : "***" }
        return (words.dropLast().joined(separator: " ")) + " ***"
    }
}
