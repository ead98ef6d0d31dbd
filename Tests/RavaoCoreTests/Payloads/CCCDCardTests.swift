import Foundation
import Testing
@testable import RavaoCore

@Suite("CCCD card")
struct CCCDCardTests {
    @Test("FORMATS.md example fields")
    func formatsExample() throws {
        let p = try #require(PayloadFixtures.recognizer.recognize(PayloadFixtures.cccdExample).payload)
        #expect(p.kind == .cccd)
        #expect(p.cccdNumber == "079085001234")
        #expect(p.cmndNumber == "123456789")
        #expect(p.fullName == "Nguyễn Văn A")
        #expect(p.birthDate == ScannedDate(year: 1985, month: 8, day: 15))
        #expect(p.gender == .male)
        #expect(p.address == "Số 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh")
        #expect(p.cccdIssueDate == ScannedDate(year: 2021, month: 5, day: 10))
        #expect(!p.wasRecoveredFromInputMethod)
    }

    @Test("newer Căn cước card: empty field 1 and 11 fields with empty tails")
    func elevenFields() throws {
        let text = "079185001234||Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024||||"
        let p = try #require(PayloadFixtures.recognizer.recognize(text).payload)
        #expect(p.kind == .cccd)
        #expect(p.cmndNumber == nil)
        #expect(p.gender == .female)
        #expect(p.fullName == "Trần Thị Bình")
        #expect(p.cccdIssueDate == ScannedDate(year: 2024, month: 8, day: 15))
    }

    @Test("decomposed (NFD) text is normalised and still matches")
    func decomposed() throws {
        let nfd = PayloadFixtures.cccdExample.decomposedStringWithCanonicalMapping
        let p = try #require(PayloadFixtures.recognizer.recognize(nfd).payload)
        #expect(p.fullName == "Nguyễn Văn A")
        #expect(p.gender == .male)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let index: Int
        let value: String
        let expected: UnrecognizedReason?
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        .init(label: "11-digit ID", index: 0, value: "07908500123", expected: .cccdWrongLength(11)),
        .init(label: "13-digit ID", index: 0, value: "0790850012345", expected: .cccdWrongLength(13)),
        .init(label: "9-digit ID", index: 0, value: "079085001", expected: .cccdWrongLength(9)),
        .init(label: "letter in ID", index: 0, value: "07908500123X", expected: .cccdNotDigits),
        .init(label: "province 000", index: 0, value: "000085001234", expected: .cccdUnknownProvince("000")),
        .init(label: "province 097", index: 0, value: "097085001234", expected: .cccdUnknownProvince("097")),
        .init(label: "province 096", index: 0, value: "096085001234", expected: nil),
        .init(label: "ID with spaces", index: 0, value: "079 085 001 234", expected: nil),
        .init(label: "odd CMND ignored", index: 1, value: "12AB", expected: nil),
        .init(label: "31 Feb birth", index: 3, value: "31021985", expected: .invalidDate(.cccd, .birthDate, value: "31021985")),
        .init(label: "short birth", index: 3, value: "1581985", expected: .invalidDate(.cccd, .birthDate, value: "1581985")),
        .init(label: "bad issue date", index: 6, value: "99999999", expected: .invalidDate(.cccd, .issueDate, value: "99999999")),
        .init(label: "gender NỮ", index: 4, value: "NỮ", expected: nil),
        .init(label: "gender mangled by code page", index: 4, value: "N?", expected: nil),
        .init(label: "gender unknown word", index: 4, value: "Xyz", expected: .invalidGender(.cccd, value: "Xyz")),
    ]

    @Test("validation", arguments: cases)
    func validation(_ c: Case) {
        var f = PayloadFixtures.cccdExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        f[c.index] = c.value
        let result = PayloadFixtures.recognizer.recognize(f.joined(separator: "|"))
        if let expected = c.expected {
            #expect(result == .unrecognized(expected))
        } else {
            #expect(result.payload?.cccdNumber?.count == 12)
        }
    }

    @Test("gender mangled by the scanner yields no gender but keeps the card")
    func mangledGender() {
        var f = PayloadFixtures.cccdExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        f[4] = "N?"
        #expect(PayloadFixtures.recognizer.recognize(f.joined(separator: "|")).payload?.gender == nil)
    }

    @Test("field counts 7…11 parse, others are named", arguments: [6, 7, 8, 11, 12])
    func fieldCounts(_ n: Int) {
        var f = PayloadFixtures.cccdExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        while f.count < n { f.append("") }
        let text = f.prefix(n).joined(separator: "|")
        let result = PayloadFixtures.recognizer.recognize(text)
        if (7...11).contains(n) {
            #expect(result.payload?.cccdNumber == "079085001234")
        } else {
            #expect(result == .unrecognized(.cccdFieldCount(n)))
        }
    }

    @Test("a bare 12-digit number is a CCCD number")
    func bareNumber() {
        let p = PayloadFixtures.recognizer.recognize("079085001234\n").payload
        #expect(p?.kind == .cccd)
        #expect(p?.cccdNumber == "079085001234")
    }
}
