import Foundation
import Testing
@testable import RavaoCore

@Suite("BHYT card")
struct BHYTCardTests {
    @Test("FORMATS.md example decodes exactly")
    func formatsExample() throws {
        let p = try #require(PayloadFixtures.recognizer.recognize(PayloadFixtures.bhytExample).payload)
        #expect(p.kind == .bhyt)
        #expect(p.raw == PayloadFixtures.bhytExample)
        #expect(p.bhytCardNumber == "GD4797932345678")
        #expect(p.bhxhNumber == "7932345678")
        #expect(p.fullName == "Nguyễn Văn A")
        #expect(p.address == PayloadFixtures.bhytExampleAddress)
        #expect(p.birthDate == ScannedDate(year: 1985, month: 8, day: 15))
        #expect(p.gender == .male)
        #expect(!p.wasRecoveredFromInputMethod)
        let d = try #require(p.bhyt)
        #expect(d.layout == .v2017)
        #expect(d.clinicCode == "79-001")
        #expect(d.validFrom == ScannedDate(year: 2021, month: 1, day: 1))
        #expect(d.validTo == ScannedDate(year: 2021, month: 12, day: 31))
        #expect(d.issueDate == ScannedDate(year: 2021, month: 1, day: 1))
        #expect(d.managementCode == "79014797932345")
        #expect(d.parentName == nil)
        #expect(d.continuousCoverageSince == ScannedDate(year: 2025, month: 1, day: 1))
        #expect(d.issuerCheck == "0a1b2c3d4e5f6071-2021")
        #expect(d.issuingPlace == nil)
    }

    @Test("2023 layout: 10-digit BHXH number, '-' address, open end date, issuing place")
    func layout2023() throws {
        let text = PayloadFixtures.bhyt2023()
        let card = try BHYTCard.parse(text).get()
        #expect(card.cardNumber == "7932345678")
        #expect(card.bhxhNumber == "7932345678")
        #expect(card.fullName == "Trần Thị Bình")
        #expect(card.gender == .female)
        #expect(card.address == nil)
        #expect(card.details.layout == .v2023)
        #expect(card.details.validTo == nil)
        #expect(card.details.clinicCode == "79-012")
        #expect(card.details.issuingPlace == "BHXH TP. Hồ Chí Minh")
        #expect(card.details.continuousCoverageSince == ScannedDate(year: 2029, month: 1, day: 1))
        #expect(PayloadFixtures.recognizer.recognize(text).payload?.kind == .bhyt)
    }

    @Test("hex that is not valid UTF-8 is kept raw; plain text is kept as is")
    func undecodableHexKeptRaw() throws {
        var f = PayloadFixtures.bhytExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        f[1] = "c328a0"        // invalid UTF-8 sequence
        f[4] = "Hà Nội"        // not hex at all
        let card = try BHYTCard.parse(f.joined(separator: "|")).get()
        #expect(card.fullName == "c328a0")
        #expect(card.address == "Hà Nội")
    }

    struct FieldCase: Sendable, CustomTestStringConvertible {
        let label: String
        let index: Int
        let value: String
        let expected: UnrecognizedReason?
        var testDescription: String { label }
    }

    static let fieldCases: [FieldCase] = [
        .init(label: "year-only birth date", index: 2, value: "1985", expected: nil),
        .init(label: "leap day 2024", index: 2, value: "29/02/2024", expected: nil),
        .init(label: "single-digit day and month", index: 2, value: "5/8/1985", expected: nil),
        .init(label: "lower-case card number", index: 0, value: "gd4797932345678", expected: nil),
        .init(label: "new 10-digit number", index: 0, value: "0123456789", expected: nil),
        .init(label: "13-char card", index: 0, value: "GD47979323456", expected: .bhytBadCardNumber),
        .init(label: "digit in letter part", index: 0, value: "G14797932345678", expected: .bhytBadCardNumber),
        .init(label: "letter in digit part", index: 0, value: "GD479793234567X", expected: .bhytBadCardNumber),
        .init(label: "9 digits", index: 0, value: "012345678", expected: .bhytBadCardNumber),
        .init(label: "empty card number", index: 0, value: "", expected: .bhytBadCardNumber),
        .init(label: "31 February", index: 2, value: "31/02/1985",
              expected: .invalidDate(.bhyt, .birthDate, value: "31/02/1985")),
        .init(label: "29 Feb in a common year", index: 2, value: "29/02/2023",
              expected: .invalidDate(.bhyt, .birthDate, value: "29/02/2023")),
        .init(label: "garbage birth date", index: 2, value: "15.08.85",
              expected: .invalidDate(.bhyt, .birthDate, value: "15.08.85")),
        .init(label: "day 32 valid-from", index: 6, value: "32/01/2021",
              expected: .invalidDate(.bhyt, .validFrom, value: "32/01/2021")),
        .init(label: "day 0 valid-to", index: 7, value: "00/12/2021",
              expected: .invalidDate(.bhyt, .validTo, value: "00/12/2021")),
        .init(label: "valid-to before valid-from", index: 7, value: "31/12/2020",
              expected: .invalidDate(.bhyt, .validTo, value: "31/12/2020")),
        .init(label: "month 13 issue date", index: 8, value: "01/13/2021",
              expected: .invalidDate(.bhyt, .issueDate, value: "01/13/2021")),
        .init(label: "gender 3", index: 3, value: "3", expected: .invalidGender(.bhyt, value: "3")),
        .init(label: "gender word", index: 3, value: "Nam", expected: .invalidGender(.bhyt, value: "Nam")),
    ]

    @Test("field validation", arguments: fieldCases)
    func fieldValidation(_ c: FieldCase) {
        var f = PayloadFixtures.bhytExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        f[c.index] = c.value
        let result = PayloadFixtures.recognizer.recognize(f.joined(separator: "|"))
        if let expected = c.expected {
            #expect(result == .unrecognized(expected))
        } else {
            #expect(result.payload?.kind == .bhyt)
        }
    }

    @Test("field counts 10…17 parse, others are named", arguments: 8...19)
    func fieldCounts(_ n: Int) {
        let f = PayloadFixtures.bhytExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        var fields = Array(f.prefix(min(n - 1, 14)))
        while fields.count < n - 1 { fields.append("-") }
        fields.append("$")
        let result = PayloadFixtures.recognizer.recognize(fields.joined(separator: "|"))
        if (10...17).contains(n) {
            #expect(result.payload?.bhytCardNumber == "GD4797932345678")
        } else {
            #expect(result == .unrecognized(.bhytFieldCount(n)))
        }
    }

    @Test("a bare card number is a BHYT scan")
    func bareNumber() {
        let p = PayloadFixtures.recognizer.recognize("GD4797932345678\r\n").payload
        #expect(p?.kind == .bhyt)
        #expect(p?.bhxhNumber == "7932345678")
        #expect(p?.bhyt == nil)
    }
}
