import Testing
@testable import RavaoCore

@Suite("Typed phone numbers")
struct ScannedPhoneTests {
    static let valid: [(String, String, Bool)] = [
        ("0912345678", "+84912345678", true),
        ("+84912345678", "+84912345678", true),
        ("84912345678", "+84912345678", true),
        ("0084912345678", "+84912345678", true),
        ("+84 0912 345 678", "+84912345678", true),
        ("0912 345 678", "+84912345678", true),
        ("0912.345.678", "+84912345678", true),
        ("0912-345-678", "+84912345678", true),
        ("(+84) 912 345 678", "+84912345678", true),
        ("0321234567", "+84321234567", true),
        ("0561234567", "+84561234567", true),
        ("0781234567", "+84781234567", true),
        ("0861234567", "+84861234567", true),
        ("02438251234", "+842438251234", false),
        ("842838251234", "+842838251234", false),
    ]

    @Test("accepted forms normalise to E.164", arguments: valid)
    func accepted(_ input: String, _ e164: String, _ mobile: Bool) throws {
        let p = try #require(PayloadFixtures.recognizer.recognize(input + "\r").payload)
        #expect(p.kind == .phone)
        #expect(p.phone?.e164 == e164)
        #expect(p.phone?.isMobile == mobile)
        #expect(p.phone?.nationalFormat == "0" + e164.dropFirst(3))
    }

    static let invalid: [(String, UnrecognizedReason)] = [
        ("091234567", .phoneWrongLength(digits: 9)),
        ("09123456789", .phoneWrongLength(digits: 11)),
        ("0243825123", .phoneWrongLength(digits: 10)),
        ("0112345678", .phoneBadPrefix),
        ("0412345678", .phoneBadPrefix),
        ("1900123456", .phoneBadPrefix),
        ("+33612345678", .phoneNotVietnamese),
        ("0012025550123", .phoneNotVietnamese),
        ("912345678", .phoneWrongLength(digits: 9)),
        ("0", .phoneWrongLength(digits: 1)),
    ]

    @Test("rejected forms are named", arguments: invalid)
    func rejected(_ input: String, _ reason: UnrecognizedReason) {
        #expect(PayloadFixtures.recognizer.recognize(input) == .unrecognized(reason))
    }
}
