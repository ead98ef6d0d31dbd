/// A one-sheet XLSX workbook (Office Open XML SpreadsheetML) written row by row into a streamed ZIP,
/// so an export of a million scans never exists whole in memory. Text cells are inline strings: no
/// shared string table to accumulate, and text stays text; each is also neutralised like the CSV.
/// Times are real date cells (a number with a `dd/mm/yyyy hh:mm` format) so Excel sorts and filters
/// them as dates; the first row gets a filter (autoFilter) and the columns the widths given.
public struct XLSXStreamWriter: Sendable {
    private var zip = ZIPStream()
    private var rowNumber = 0
    private var widest = 0
    private let sheetName: String
    private let columnWidths: [Double]
    private let filter: Bool

    /// One cell: text, or a moment shown as a date and time in Vietnam (UTC+7).
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case localTime(Int64)
        public init(stringLiteral value: String) { self = .text(value) }
    }

    /// `columnWidths` in characters (Excel's unit); `filter` puts a filter on the first row.
    public init(sheetName: String, columnWidths: [Double] = [], filter: Bool = false) {
        // Sheet names may not contain []:*?/\ and are at most 31 characters.
        let cleaned = sheetName.filter { !"[]:*?/\\".contains($0) }
        self.sheetName = String(cleaned.prefix(31)).isEmpty ? "Sheet1" : String(cleaned.prefix(31))
        self.columnWidths = columnWidths
        self.filter = filter
    }

    /// Excel's serial day number of a Unix time shown in Vietnam time: days since 1899-12-30.
    public static func serial(_ seconds: Int64) -> Double {
        Double(seconds + LocalTime.offsetSeconds) / 86_400 + 25_569
    }

    static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relNS = "http://schemas.openxmlformats.org/package/2006/relationships"
    static let docRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"

    /// The fixed parts and the opening of the sheet.
    public mutating func start() -> [UInt8] {
        var out: [UInt8] = []
        out += zip.add("[Content_Types].xml", Array((Self.declaration + """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            </Types>
            """).utf8))
        out += zip.add("_rels/.rels", Array((Self.declaration + """
            <Relationships xmlns="\(Self.relNS)"><Relationship Id="rId1" Type="\(Self.docRel)/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """).utf8))
        out += zip.add("xl/workbook.xml", Array((Self.declaration + """
            <workbook xmlns="\(Self.mainNS)" xmlns:r="\(Self.docRel)"><sheets><sheet name="\(Self.escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>
            """).utf8))
        out += zip.add("xl/_rels/workbook.xml.rels", Array((Self.declaration + """
            <Relationships xmlns="\(Self.relNS)"><Relationship Id="rId1" Type="\(Self.docRel)/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="\(Self.docRel)/styles" Target="styles.xml"/></Relationships>
            """).utf8))
        out += zip.add("xl/styles.xml", Array((Self.declaration + """
            <styleSheet xmlns="\(Self.mainNS)"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
            <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
            """).utf8))
        out += zip.beginEntry("xl/worksheets/sheet1.xml")
        var head = Self.declaration + "<worksheet xmlns=\"\(Self.mainNS)\">"
        if filter { head += "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>" }
        if !columnWidths.isEmpty {
            head += "<cols>" + columnWidths.enumerated().map { "<col min=\"\($0.offset + 1)\" max=\"\($0.offset + 1)\" width=\"\($0.element)\" customWidth=\"1\"/>" }.joined() + "</cols>"
        }
        out += zip.write(Array((head + "<sheetData>").utf8))
        return out
    }

    /// One row of text cells; returns the bytes ready to send (whole 64 KB blocks, often nothing).
    public mutating func row(_ cells: [String]) -> [UInt8] {
        row(cells.map(Cell.text))
    }

    /// One row of typed cells; returns the bytes ready to send (whole 64 KB blocks, often nothing).
    public mutating func row(_ cells: [Cell]) -> [UInt8] {
        rowNumber += 1
        widest = max(widest, cells.count)
        var xml = "<row r=\"\(rowNumber)\">"
        for (i, cell) in cells.enumerated() {
            switch cell {
            case .text(let text):
                xml += "<c r=\"\(Self.column(i))\(rowNumber)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                xml += Self.escape(CellSafety.neutralise(text))
                xml += "</t></is></c>"
            case .localTime(let seconds):
                xml += "<c r=\"\(Self.column(i))\(rowNumber)\" s=\"1\"><v>\(Self.serial(seconds))</v></c>"
            }
        }
        xml += "</row>"
        return zip.write(Array(xml.utf8))
    }

    /// Closes the sheet and the archive.
    public mutating func finish() -> [UInt8] {
        var tail = "</sheetData>"
        if filter && rowNumber > 0 && widest > 0 { tail += "<autoFilter ref=\"A1:\(Self.column(widest - 1))\(rowNumber)\"/>" }
        var out = zip.write(Array((tail + "</worksheet>").utf8))
        out += zip.closeEntry()
        out += zip.finish()
        return out
    }

    /// A, B, …, Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// XML text: markup characters escaped, and characters XML 1.0 forbids (most C0 controls) dropped,
    /// since a single one makes Excel refuse the whole file.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
