import Foundation

/// Folding of Vietnamese text for search: "Quán Cơm Bà Ba" and "quan com ba ba" must find each other.
public enum TextFolding {
    /// Lower-cased, diacritics removed, `đ` → `d`, runs of whitespace collapsed.
    public static func fold(_ text: String) -> String {
        let lowered = text.lowercased()
            .replacingOccurrences(of: "đ", with: "d")
        let stripped = lowered.applyingTransform(.stripDiacritics, reverse: false) ?? lowered
        return stripped.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The folded words of a query, each of which must occur in the folded document.
    public static func terms(_ query: String) -> [String] {
        fold(query).split(separator: " ").map(String.init).filter { !$0.isEmpty }
    }
}
