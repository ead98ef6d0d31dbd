import Crypto
import Foundation
import Testing
@testable import RavaoCore

@Suite("Payload recognizer")
struct PayloadRecognizerTests {
    struct ReasonCase: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: UnrecognizedReason
        var testDescription: String { expected.code }
    }

    static func bhytWith(_ index: Int, _ value: String) -> String {
        var f = PayloadFixtures.bhytExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        f[index] = value
        return f.joined(separator: "|")
    }

    static func cccdWith(_ index: Int, _ value: String) -> String {
        var f = PayloadFixtures.cccdExample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        f[index] = value
        return f.joined(separator: "|")
    }

    static let reasonCases: [ReasonCase] = [
        .init(input: "", expected: .empty),
        .init(input: "\r\n\t ", expected: .empty),
        .init(input: "\u{FEFF}\n", expected: .empty),
        .init(input: String(repeating: "A", count: 9_000), expected: .tooLong(bytes: 9_000)),
        .init(input: "hello world", expected: .unknownFormat(excerpt: "hello world")),
        .init(input: "a|b|c", expected: .unknownFormat(excerpt: "a|b|c")),
        .init(input: "RV1.âBC" + String(repeating: "B", count: 55), expected: .inputMethodActive(suspected: .ravao)),
        .init(input: "https://ravao.example.vn/c/Xk3abcDEFghi", expected: .placePoster),
        .init(input: "HTTPS://RAVAO.EXAMPLE.VN/c/Xk3abcDEFghi\r\n", expected: .placePoster),
        .init(input: "http://ravao.vn/c/Xk3abcDEFghi?utm=poster", expected: .placePoster),
        .init(input: "ravao.vn/c/Xk3abcDEFghi", expected: .placePoster),
        .init(input: "https://ravao.example.vn/help", expected: .ravaoLinkNotPersonal),
        .init(input: "https://example.com/x?y=1", expected: .foreignURL(host: "example.com")),
        .init(input: "https://user@evil.example:8443/c/abc", expected: .foreignURL(host: "evil.example:8443")),
        .init(input: "https://vnexpress.net/tin-tức", expected: .foreignURL(host: "vnexpress.net")),
        .init(input: "RV1.ABC", expected: .tokenMalformed),
        .init(input: "RV2.ABC", expected: .tokenUnsupportedVersion),
        .init(input: PersonalToken.issue(personId: PayloadFixtures.personID, version: 1, key: PayloadFixtures.otherKey),
              expected: .tokenBadSignature),
        .init(input: "GD4797932345678|4e|15/08/1985|1|-|79 - 001|01/01/2021|31/12/2021|$", expected: .bhytFieldCount(9)),
        .init(input: bhytWith(0, "GD47979323456"), expected: .bhytBadCardNumber),
        .init(input: PayloadFixtures.cccdExample + "|||||", expected: .cccdFieldCount(12)),
        .init(input: cccdWith(0, "0790850O1234"), expected: .cccdNotDigits),
        .init(input: cccdWith(0, "07908500123"), expected: .cccdWrongLength(11)),
        .init(input: cccdWith(0, "099085001234"), expected: .cccdUnknownProvince("099")),
        .init(input: "******001234|NGUYEN VAN A|1985-08-15|0", expected: .nationalFieldCount(4)),
        .init(input: "******001234|NGUYEN VAN A|1985-08-15|0||<1<", expected: .nationalMissingQID),
        .init(input: "******001234|NGUYEN VAN A|1985-08-15|0|10000*|<1<", expected: .nationalBadQID),
        .init(input: bhytWith(2, "31/02/1985"), expected: .invalidDate(.bhyt, .birthDate, value: "31/02/1985")),
        .init(input: bhytWith(3, "9"), expected: .invalidGender(.bhyt, value: "9")),
        .init(input: "091 234 567", expected: .phoneWrongLength(digits: 9)),
        .init(input: "0112345678", expected: .phoneBadPrefix),
        .init(input: "+33 6 12 34 56 78", expected: .phoneNotVietnamese),
    ]

    @Test("every unrecognised reason, from a real input", arguments: reasonCases)
    func reasons(_ c: ReasonCase) {
        #expect(PayloadFixtures.recognizer.recognize(c.input) == .unrecognized(c.expected))
    }

    static let allCodes: Set<String> = [
        "empty", "too_long", "unknown_format", "input_method_active", "place_poster", "ravao_link_not_personal",
        "foreign_url", "token_malformed", "token_unsupported_version", "token_bad_signature", "bhyt_field_count",
        "bhyt_bad_card_number", "cccd_field_count", "cccd_not_digits", "cccd_wrong_length", "cccd_unknown_province",
        "national_field_count", "national_missing_qid", "national_bad_qid", "invalid_date", "invalid_gender",
        "phone_wrong_length", "phone_bad_prefix", "phone_not_vietnamese",
    ]

    @Test("the table reaches every reason; every message exists in English and Vietnamese")
    func reasonCoverageAndMessages() throws {
        let reasons = Self.reasonCases.map(\.expected)
        #expect(Set(reasons.map(\.code)) == Self.allCodes)
        for r in reasons {
            #expect(!r.message.isEmpty && !r.messageVI.isEmpty)
            #expect(r.message != r.messageVI)
            let decoded = try JSONDecoder().decode(UnrecognizedReason.self, from: JSONEncoder().encode(r))
            #expect(decoded == r)
        }
        #expect(UnrecognizedReason.placePoster.message.contains("place's QR"))
        #expect(UnrecognizedReason.placePoster.messageVI.contains("mã QR của địa điểm"))
        #expect(UnrecognizedReason.inputMethodActive(suspected: nil).message.contains("Ctrl+Shift"))
        #expect(UnrecognizedReason.inputMethodActive(suspected: nil).messageVI.contains("tắt bộ gõ"))
        #expect(UnrecognizedReason.invalidDate(.cccd, .birthDate, value: "31021985").message
            == "Citizen ID card (CCCD): the date of birth “31021985” is not a real date.")
        #expect(UnrecognizedReason.cccdWrongLength(11).suspectedKind == .cccd)
    }

    @Test("scanner terminators, BOM and AIM prefix are trimmed; raw is kept verbatim",
          arguments: ["\r", "\n", "\r\n", "\t", "\n\n", " \r\n"])
    func terminators(_ suffix: String) throws {
        for payload in [PayloadFixtures.bhytExample, PayloadFixtures.cccdExample, PayloadFixtures.nationalExample, PayloadFixtures.token(), "0912345678"] {
            for prefix in ["", "\u{FEFF}", "]Q1"] {
                let raw = prefix + payload + suffix
                let p = try #require(PayloadFixtures.recognizer.recognize(raw).payload, "\(raw.debugDescription)")
                #expect(p.raw == raw)
            }
        }
    }

    @Test("Ravao personal token, bare or inside one of our links")
    func ravaoToken() throws {
        let token = PayloadFixtures.token(version: 7)
        for input in [token, token.lowercased(), "https://ravao.example.vn/p/\(token)", "https://ravao.vn/s?t=\(token)"] {
            let p = try #require(PayloadFixtures.recognizer.recognize(input).payload, "\(input)")
            #expect(p.kind == .ravao)
            #expect(p.ravaoPersonID == PayloadFixtures.personID)
            #expect(p.ravaoTokenVersion == 7)
        }
        // Without configured hosts, our own poster is just another website.
        let bare = PayloadRecognizer(tokenKey: PayloadFixtures.key)
        #expect(bare.recognize("https://ravao.vn/c/abc") == .unrecognized(.foreignURL(host: "ravao.vn")))
    }

    @Test("recognitions round-trip through JSON")
    func codable() throws {
        for input in [PayloadFixtures.bhytExample, PayloadFixtures.bhyt2023(), PayloadFixtures.cccdExample, PayloadFixtures.nationalExample,
                      PayloadFixtures.token(), "+84 912 345 678", IMESimulator.type(PayloadFixtures.bhytExample, .telex), "zzz"] {
            let r = PayloadFixtures.recognizer.recognize(input)
            let back = try JSONDecoder().decode(PayloadRecognition.self, from: JSONEncoder().encode(r))
            #expect(back == r)
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ScannedDate.self, from: Data(#"{"year":1985,"month":2,"day":31}"#.utf8))
        }
    }

    @Test("excerpts are short and cannot carry control or bidi characters")
    func excerptSafety() {
        let r = PayloadFixtures.recognizer.recognize("abc\u{202E}def\u{0007}ghi" + String(repeating: "x", count: 100))
        guard case .unrecognized(.unknownFormat(let excerpt)) = r else {
            Issue.record("expected unknownFormat, got \(r)")
            return
        }
        #expect(excerpt == "abc·def·ghixxxxxxxxxxxxx…")
        #expect(!excerpt.unicodeScalars.contains { $0.properties.generalCategory == .format })
    }

    @Test("ScannedDate validates and describes partial dates")
    func scannedDate() {
        #expect(ScannedDate(year: 2024, month: 2, day: 29) != nil)
        #expect(ScannedDate(year: 2023, month: 2, day: 29) == nil)
        #expect(ScannedDate(year: 1900, month: 2, day: 29) == nil)
        #expect(ScannedDate(year: 2000, month: 2, day: 29) != nil)
        #expect(ScannedDate(year: 1985, month: 4, day: 31) == nil)
        #expect(ScannedDate(year: 1985, month: 0) == nil)
        #expect(ScannedDate(year: 1000) == nil)
        #expect(ScannedDate(year: 1985, month: 8, day: 15)?.description == "15/08/1985")
        #expect(ScannedDate(year: 1985, month: 8)?.description == "**/08/1985")
        #expect(ScannedDate(year: 1985)?.description == "1985")
        #expect(ScannedDate(year: 1985)?.isComplete == false)
    }
}
