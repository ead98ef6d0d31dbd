import Foundation
import Testing
@testable import RavaoCore

@Suite("Export: cells, CSV, ZIP, XLSX") struct ExportTests {
    @Test(arguments: ["=HYPERLINK(\"http://x\",\"y\")", "+84912", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"])
    func formulaTriggersAreNeutralised(cell: String) {
        let safe = CellSafety.neutralise(cell)
        #expect(safe == "'" + cell)
    }

    @Test(arguments: ["Nguyễn Văn ***", "0916859***", "a=b", "", " =x", "Trần Thị Ba"])
    func ordinaryTextIsUntouched(cell: String) {
        #expect(CellSafety.neutralise(cell) == cell)
    }

    @Test func csvLinesQuoteAndNeutralise() {
        #expect(CSVWriter.line(["Nguyễn Văn ***", "a,b", "say \"hi\"", "=1+1", "x\ny"]) == "Nguyễn Văn ***,\"a,b\",\"say \"\"hi\"\"\",'=1+1,\"x\ny\"\r\n")
        #expect(CSVWriter.byteOrderMark == [0xEF, 0xBB, 0xBF])
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var split = CRC32()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8))
        #expect(split.value == 0xCBF4_3926)
    }

    @Test func aStreamedZipReadsBackWithCorrectChecksums() throws {
        var zip = ZIPStream()
        var bytes = zip.add("small.txt", Array("xin chào".utf8))
        bytes += zip.beginEntry("big.txt")
        var expected: [UInt8] = []
        for i in 0..<20_000 {
            let line = Array("dòng \(i)\n".utf8)
            expected += line
            bytes += zip.write(line)
        }
        bytes += zip.closeEntry()
        bytes += zip.finish()
        let entries = try MiniUnzip.read(bytes)
        #expect(entries.map(\.name) == ["small.txt", "big.txt"])
        #expect(entries[0].data == Array("xin chào".utf8))
        #expect(entries[1].data == expected)
        #expect(expected.count > 2 * ZIPStream.blockSize, "the test must span several stored blocks")
    }

    @Test func anXLSXHasTheWorkbookPartsAndTextCells() throws {
        var writer = XLSXStreamWriter(sheetName: "Lượt quét")
        var bytes = writer.start()
        bytes += writer.row(["Họ tên", "Ghi chú"])
        bytes += writer.row(["Nguyễn Văn ***", "=HYPERLINK(\"http://evil\",\"x\") & <b>\u{1}"])
        bytes += writer.finish()
        let entries = try MiniUnzip.read(bytes)
        let names = Set(entries.map(\.name))
        #expect(names == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"])
        let sheet = String(decoding: try #require(entries.first { $0.name == "xl/worksheets/sheet1.xml" }).data, as: UTF8.self)
        #expect(sheet.contains("<c r=\"A2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">Nguyễn Văn ***</t></is></c>"))
        // Neutralised, escaped, and the control character that would corrupt the file dropped.
        #expect(sheet.contains("'=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;) &amp; &lt;b&gt;</t>"))
        #expect(sheet.hasSuffix("</sheetData></worksheet>"))
        #expect(XLSXStreamWriter.column(0) == "A" && XLSXStreamWriter.column(25) == "Z" && XLSXStreamWriter.column(26) == "AA")
    }

    @Test func anXLSXCanHoldDateCellsColumnWidthsAndAFilterRow() throws {
        var writer = XLSXStreamWriter(sheetName: "Lượt quét", columnWidths: [17, 30], filter: true)
        var bytes = writer.start()
        bytes += writer.row(["Thời gian", "Họ tên"])
        // 2026-11-23 00:30 UTC is 07:30 on the 23rd in Vietnam: serial 46349 + 7.5 h.
        let seconds: Int64 = 1_795_393_800
        bytes += writer.row([.localTime(seconds), .text("Nguyễn Văn ***")])
        bytes += writer.finish()
        let entries = try MiniUnzip.read(bytes)
        let sheet = String(decoding: try #require(entries.first { $0.name == "xl/worksheets/sheet1.xml" }).data, as: UTF8.self)
        let styles = String(decoding: try #require(entries.first { $0.name == "xl/styles.xml" }).data, as: UTF8.self)
        #expect(sheet.contains("<cols><col min=\"1\" max=\"1\" width=\"17.0\" customWidth=\"1\"/><col min=\"2\" max=\"2\" width=\"30.0\" customWidth=\"1\"/></cols><sheetData>"))
        #expect(sheet.contains("<c r=\"A2\" s=\"1\"><v>\(XLSXStreamWriter.serial(seconds))</v></c>"))
        #expect(abs(XLSXStreamWriter.serial(seconds) - (Double(LocalDate("2026-11-23")!.dayNumber) + 25_569 + 7.5 / 24)) < 1e-9)
        #expect(sheet.hasSuffix("</sheetData><autoFilter ref=\"A1:B2\"/></worksheet>"))
        #expect(styles.contains("<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy hh:mm\"/>") && styles.contains("<cellXfs count=\"2\">"))
    }

    @Test func disclosureIsDecidedInOnePlace() {
        #expect(Disclosure.decide(placePrivileged: false, viewerRole: .owner) == .masked)
        #expect(Disclosure.decide(placePrivileged: true, viewerRole: .controller) == .full(reason: Disclosure.privilegedPlaceReason))
        #expect(Disclosure.decide(placePrivileged: true, viewerRole: nil) == .masked)
        #expect(Disclosure.decide(placePrivileged: false, viewerRole: nil, officerReason: "tracing case 7") == .full(reason: "tracing case 7"))
        let phone = PhoneNumber("0916859123")!
        #expect(Disclosure.masked.name("Nguyễn Văn An") == "Nguyễn Văn ***" && Disclosure.masked.phone(phone) == "0916859***")
        #expect(Disclosure.full(reason: "x").name("Nguyễn Văn An") == "Nguyễn Văn An" && Disclosure.full(reason: "x").phone(phone) == "0916859123")
    }
}

/// Just enough of a ZIP reader to check what the writer produced: the central directory, stored
/// entries and DEFLATE stored blocks, each verified against its CRC.
enum MiniUnzip {
    struct Entry { let name: String; let data: [UInt8] }
    struct Failure: Error { let message: String }

    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }

    static func read(_ b: [UInt8]) throws -> [Entry] {
        let end = b.count - 22
        guard end >= 0, u32(b, end) == 0x0605_4B50 else { throw Failure(message: "no end record") }
        let count = u16(b, end + 10)
        var at = u32(b, end + 16)
        var out: [Entry] = []
        for _ in 0..<count {
            guard u32(b, at) == 0x0201_4B50 else { throw Failure(message: "bad central entry") }
            let method = u16(b, at + 10), crc = u32(b, at + 16), csize = u32(b, at + 20), size = u32(b, at + 24)
            let nameLength = u16(b, at + 28), extra = u16(b, at + 30), comment = u16(b, at + 32), offset = u32(b, at + 42)
            let name = String(decoding: b[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            guard u32(b, offset) == 0x0403_4B50 else { throw Failure(message: "bad local header") }
            let start = offset + 30 + u16(b, offset + 26) + u16(b, offset + 28)
            let raw = Array(b[start..<(start + csize)])
            var data: [UInt8] = []
            if method == 0 { data = raw } else if method == 8 {
                var p = 0
                while true {
                    let header = raw[p]
                    guard header & 0x06 == 0 else { throw Failure(message: "only stored blocks expected") }
                    let length = u16(raw, p + 1)
                    guard u16(raw, p + 3) == (~length & 0xFFFF) else { throw Failure(message: "bad NLEN") }
                    data += raw[(p + 5)..<(p + 5 + length)]
                    p += 5 + length
                    if header & 1 == 1 { break }
                }
            } else { throw Failure(message: "method \(method)") }
            guard data.count == size, Int(CRC32.checksum(data)) == crc else { throw Failure(message: "size or CRC mismatch in \(name)") }
            out.append(Entry(name: name, data: data))
            at += 46 + nameLength + extra + comment
        }
        return out
    }
}

@Suite("Export times") struct ExportTimeTests {
    @Test func arithmeticFormattingMatchesFoundation() {
        var rng = SystemRandomNumberGenerator()
        let samples: [Int64] = [0, 86_399, 951_782_400, 1_709_164_800, 1_764_000_000, 4_102_444_799] + (0..<500).map { _ in Int64.random(in: 0...4_102_444_799, using: &rng) }
        for s in samples {
            #expect(ExportTime.local(s) == LocalTime.format(s), "local \(s)")
            #expect(ExportTime.iso(s) == Date(timeIntervalSince1970: TimeInterval(s)).formatted(.iso8601), "iso \(s)")
        }
    }
}
