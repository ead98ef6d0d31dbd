/// Keeps exported text from being run as a spreadsheet formula (the 2021 luca exports were used for
/// formula injection). A cell that begins with `=`, `+`, `-`, `@`, tab or carriage return gets a
/// leading apostrophe, which spreadsheets show as text and never evaluate.
public enum CellSafety {
    static let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    public static func neutralise(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, triggers.contains(first) else { return text }
        return "'" + text
    }
}
