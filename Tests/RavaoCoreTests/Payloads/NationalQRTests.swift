import Foundation
import Testing
@testable import RavaoCore

@Suite("National personal QR (PC-Covid)")
struct NationalQRTests {
    @Test("FORMATS.md example")
    func formatsExample() throws {
        let p = try #require(PayloadFixtures.recognizer.recognize(PayloadFixtures.nationalExample).payload)
        #expect(p.kind == .national)
        #expect(p.nationalQID == "100000000000012345")
        #expect(p.national?.documentNumber == "******001234")
        #expect(p.cccdNumber == nil, "a masked ID number is not an ID")
        #expect(p.fullName == "NGUYEN VAN A")
        #expect(p.birthDate == ScannedDate(year: 1985, month: 8, day: 15))
        #expect(p.national?.declaredOnBehalf == false)
        #expect(p.gender == .male)
        #expect(p.bhytCardNumber == "GD4797932345678")
        #expect(p.bhxhNumber == "7932345678")
        #expect(p.phone?.e164 == "+84912345678")
        #expect(p.national?.helperQID == nil)
    }

    struct DateCase: Sendable, CustomTestStringConvertible {
        let value: String
        let expected: ScannedDate?
        var testDescription: String { value }
    }

    static let maskedDates: [DateCase] = [
        .init(value: "1985-**-**", expected: ScannedDate(year: 1985)),
        .init(value: "1985-08-**", expected: ScannedDate(year: 1985, month: 8)),
        .init(value: "1985-**-15", expected: ScannedDate(year: 1985, day: 15)),
        .init(value: "1985-xx-xx", expected: ScannedDate(year: 1985)),
        .init(value: "****-**-**", expected: nil),
        .init(value: "1985", expected: ScannedDate(year: 1985)),
        .init(value: "15/08/1985", expected: ScannedDate(year: 1985, month: 8, day: 15)),
        .init(value: "", expected: nil),
    ]

    @Test("masked birth dates", arguments: maskedDates)
    func maskedDate(_ c: DateCase) throws {
        let text = "******001234|NGUYEN VAN A|\(c.value)|0|100000000000012345|"
        let p = try #require(PayloadFixtures.recognizer.recognize(text).payload)
        #expect(p.birthDate == c.expected)
    }

    @Test("unmasked ID, proxy declaration, helper QID, signature and EXT in another order")
    func extLenient() throws {
        let sig = "MEUCIQDx1234567890abcdefABCDEF"
        let text = "079085001234|TRAN THI B|2015-03-**|1|100000000000099999|200000000000011111<0912345678<2<GD4797932345678<\(sig)"
        let p = try #require(PayloadFixtures.recognizer.recognize(text).payload)
        #expect(p.cccdNumber == "079085001234")
        #expect(p.national?.declaredOnBehalf == true)
        #expect(p.national?.helperQID == "200000000000011111")
        #expect(p.gender == .female)
        #expect(p.phone?.nationalFormat == "0912345678")
        #expect(p.bhytCardNumber == "GD4797932345678")
        #expect(p.national?.signature == sig)
    }

    @Test("five fields (no EXT) still parse")
    func noExt() {
        let p = PayloadFixtures.recognizer.recognize("******001234|NGUYEN VAN A|1985-08-15|0|100000000000012345").payload
        #expect(p?.nationalQID == "100000000000012345")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let expected: UnrecognizedReason
        var testDescription: String { expected.code + " " + text }
    }

    static let failures: [Case] = [
        .init(text: "******001234|NGUYEN VAN A|1985-08-15|0||<1<", expected: .nationalMissingQID),
        .init(text: "******001234|NGUYEN VAN A|1985-08-15|0|1000000*****12345|<1<", expected: .nationalBadQID),
        .init(text: "******001234|NGUYEN VAN A|1985-08-15|0", expected: .nationalFieldCount(4)),
        .init(text: "******001234|NGUYEN VAN A|1985-02-30|0|100000000000012345|<1<",
              expected: .invalidDate(.national, .birthDate, value: "1985-02-30")),
        .init(text: "******001234|NGUYEN VAN A|1985-13-**|0|100000000000012345|<1<",
              expected: .invalidDate(.national, .birthDate, value: "1985-13-**")),
    ]

    @Test("named failures", arguments: failures)
    func failuresNamed(_ c: Case) {
        #expect(PayloadFixtures.recognizer.recognize(c.text) == .unrecognized(c.expected))
    }
}
