/// CSV for Excel (RFC 4180 quoting, CRLF lines) whose first bytes are a UTF-8 byte-order mark, without
/// which Excel reads the file as the local code page and breaks Vietnamese names.
public enum CSVWriter {
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// One line, each cell neutralised and quoted when needed, ending in CRLF.
    public static func line(_ cells: [String]) -> String {
        var out = ""
        for (i, cell) in cells.enumerated() {
            if i > 0 { out += "," }
            out += field(CellSafety.neutralise(cell))
        }
        return out + "\r\n"
    }

    static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A whole small CSV document in memory (coverage lists, tracing results, dashboards): the byte-order
/// mark, then `CSVWriter` lines. Large exports stream `CSVWriter.line`s instead.
public enum CSVExport {
    public static func cell(_ value: String) -> String { CSVWriter.field(CellSafety.neutralise(value)) }
    public static func document(_ rows: [[String]]) -> String { "\u{FEFF}" + rows.map(CSVWriter.line).joined() }
    public static func document(header: [String], rows: [[String]]) -> String { document([header] + rows) }
}
