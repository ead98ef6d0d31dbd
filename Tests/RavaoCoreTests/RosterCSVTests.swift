import Foundation
import Testing
@testable import RavaoCore

@Suite("Roster CSV, export cells, local dates, trips")
struct RosterCSVTests {
    @Test func quotedFieldsHoldSeparatorsQuotesAndLineBreaks() {
        let records = RosterCSV.records("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x,\r\nlast", separator: ",")
        #expect(records == [["a", "b, c", "say \"hi\""], ["two\nlines", "x", ""], ["last"]])
    }

    @Test func separatorIsWhatTheHeaderUsesMost() {
        #expect(RosterCSV.detectSeparator("Họ tên;SĐT;Phòng ban, tổ\r\nx") == ";")
        #expect(RosterCSV.detectSeparator("name\tphone\tdept") == "\t")
        #expect(RosterCSV.detectSeparator("name") == ",")
    }

    @Test func headersAreRecognisedInBothLanguages() {
        #expect(RosterCSV.column(forHeader: "Họ và tên") == .name)
        #expect(RosterCSV.column(forHeader: " SỐ ĐIỆN THOẠI ") == .phone)
        #expect(RosterCSV.column(forHeader: "Mã NV") == .employeeNumber)
        #expect(RosterCSV.column(forHeader: "employee_number") == .employeeNumber)
        #expect(RosterCSV.column(forHeader: "Số thẻ BHYT") == .bhyt)
        #expect(RosterCSV.column(forHeader: "Phòng ban") == .department)
        #expect(RosterCSV.column(forHeader: "Ghi chú") == nil)
    }

    @Test func decodingFollowsTheByteOrderMark() {
        let text = "Họ tên\r\n"
        #expect(RosterCSV.decode([0xEF, 0xBB, 0xBF] + Array(text.utf8))?.encoding == "utf-8")
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(RosterCSV.decode(le)?.text == text)
        let be: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(RosterCSV.decode(be)?.text == text)
        #expect(RosterCSV.decode(Array(text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })) == nil)  // UTF-16 without BOM
        #expect(RosterCSV.decode([0x48, 0xE4, 0x20]) == nil)  // Latin-1
        #expect(RosterCSV.decode([0xFF, 0xFE, 0x41]) == nil)  // odd length
    }

    @Test func decomposedNamesAreComposed() {
        let decomposed = "name,phone\nNguye\u{302}\u{303}n Va\u{306}n An,0912000001\n"
        let parsed = RosterCSV.parse(Array(decomposed.utf8))
        #expect(parsed.rows.first?.name == "Nguyễn Văn An")
    }

    @Test func exportCellsCannotRunAsFormulas() {
        #expect(CSVExport.cell("=1+2") == "'=1+2")
        #expect(CSVExport.cell("+84912") == "'+84912")
        #expect(CSVExport.cell("-5") == "'-5")
        #expect(CSVExport.cell("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVExport.cell("\tx") == "'\tx")
        #expect(CSVExport.cell("\r=x") == "\"'\r=x\"")
        #expect(CSVExport.cell("a, \"b\"") == "\"a, \"\"b\"\"\"")
        #expect(CSVExport.cell("Nguyễn Văn An") == "Nguyễn Văn An")
        #expect(CSVExport.document(header: ["a"], rows: [["=b"]]) == "\u{FEFF}a\r\n'=b\r\n")
    }

    @Test func localDatesStartAtMidnightInVietnam() throws {
        let day = try #require(LocalDate("2021-07-29"))
        #expect(day.start == 1_627_491_600)  // 2021-07-28T17:00:00Z
        #expect(day.end - day.start == 86_400)
        #expect(LocalDate(containing: day.start) == day)
        #expect(LocalDate(containing: day.start - 1) == day.adding(days: -1))
        #expect(LocalDate(containing: day.end - 1) == day)
        #expect(day.description == "2021-07-29" && day.shortLabel == "29/07")
        #expect(LocalDate("2024-02-29") != nil && LocalDate("2023-02-29") == nil && LocalDate("2021-7-29") == nil && LocalDate("yesterday") == nil)
        #expect(LocalDate("2024-12-31")!.adding(days: 1).description == "2025-01-01")
        #expect(LocalDate.start(of: "1970-01-01") == -25_200)
    }

    @Test func tripsSplitAtGaps() {
        let times: [Int64] = [1000, 100, 200, 4000, 4100, 9000]
        let trips = Trips.group(times, gap: 2700, time: { $0 })
        #expect(trips == [[100, 200, 1000], [4000, 4100], [9000]])
        #expect(Trips.group(times, gap: 10_000, time: { $0 }).count == 1)
        #expect(Trips.group([Int64](), gap: 60, time: { $0 }).isEmpty)
    }
}

extension LocalDate {
    static func start(of text: String) -> Int64? { LocalDate(text)?.start }
}
