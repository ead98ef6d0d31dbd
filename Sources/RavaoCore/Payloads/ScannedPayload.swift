import Foundation

/// Gender as printed on a card or carried in a QR.
public enum ScannedGender: String, Sendable, Hashable, Codable, CaseIterable {
    case male
    case female
}

/// BHYT-only facts: coverage period, registered clinic and card layout.
public struct BHYTDetails: Sendable, Equatable, Hashable, Codable {
    /// Field layouts seen on cards: 15 fields (2017) or 17 with an issuing place (2023).
    public enum Layout: String, Sendable, Hashable, Codable {
        case v2017 = "2017"
        case v2023 = "2023"
    }

    public var layout: Layout
    /// Coverage start; nil when the card leaves it open.
    public var validFrom: ScannedDate?
    /// Coverage end; nil when open-ended (`-`).
    public var validTo: ScannedDate?
    /// Registered primary-care clinic as `PP-FFF` (province - facility), e.g. `79-001`.
    public var clinicCode: String?
    public var issueDate: ScannedDate?
    /// 14-digit management code (4-digit prefix + 10-digit BHXH number).
    public var managementCode: String?
    /// Parent's or guardian's name on children's cards.
    public var parentName: String?
    /// Date from which the holder has five consecutive years of coverage.
    public var continuousCoverageSince: ScannedDate?
    /// Issuer check value (`16 hex-4 digits`); its algorithm is not public, so it is only kept.
    public var issuerCheck: String?
    /// Issuing place (2023 layout).
    public var issuingPlace: String?

    public init(layout: Layout, validFrom: ScannedDate? = nil, validTo: ScannedDate? = nil,
                clinicCode: String? = nil, issueDate: ScannedDate? = nil, managementCode: String? = nil,
                parentName: String? = nil, continuousCoverageSince: ScannedDate? = nil,
                issuerCheck: String? = nil, issuingPlace: String? = nil) {
        self.layout = layout
        self.validFrom = validFrom
        self.validTo = validTo
        self.clinicCode = clinicCode
        self.issueDate = issueDate
        self.managementCode = managementCode
        self.parentName = parentName
        self.continuousCoverageSince = continuousCoverageSince
        self.issuerCheck = issuerCheck
        self.issuingPlace = issuingPlace
    }
}

/// National-QR-only facts.
public struct NationalQRDetails: Sendable, Equatable, Hashable, Codable {
    /// ID or passport number as carried, usually with its first 6 characters masked by `*`.
    public var documentNumber: String?
    /// `LoaiDinhDanh` 1: declared on the person's behalf (khai hộ); nil when the code is unknown.
    public var declaredOnBehalf: Bool?
    /// QID of the person who declared on their behalf.
    public var helperQID: String?
    /// The EXT signature sub-field, kept verbatim (its algorithm is not public).
    public var signature: String?

    public init(documentNumber: String? = nil, declaredOnBehalf: Bool? = nil,
                helperQID: String? = nil, signature: String? = nil) {
        self.documentNumber = documentNumber
        self.declaredOnBehalf = declaredOnBehalf
        self.helperQID = helperQID
        self.signature = signature
    }
}

/// A scan that was recognised: which format, the raw text, and every identifier it carries.
public struct ScannedPayload: Sendable, Equatable, Hashable, Codable {
    public var kind: PayloadKind
    /// Exactly what the scanner delivered, before trimming or recovery, kept for the scan log.
    public var raw: String

    /// Ravao person id, from a verified personal token.
    public var ravaoPersonID: UUID?
    /// Token version; the caller compares it with the person's current version to detect revocation.
    public var ravaoTokenVersion: Int?
    /// National platform's stable person id (QID).
    public var nationalQID: String?
    /// 12-digit citizen ID (CCCD) number.
    public var cccdNumber: String?
    /// Old 9- (or 12-) digit ID (CMND) number.
    public var cmndNumber: String?
    /// Health-insurance card number as printed (15 chars on old cards, 10 digits on new ones).
    public var bhytCardNumber: String?
    /// 10-digit social-insurance (BHXH) number.
    public var bhxhNumber: String?
    public var phone: ScannedPhone?
    /// Full name, decoded and NFC-normalised.
    public var fullName: String?
    public var birthDate: ScannedDate?
    public var gender: ScannedGender?
    public var address: String?
    /// CCCD issue date.
    public var cccdIssueDate: ScannedDate?
    public var bhyt: BHYTDetails?
    public var national: NationalQRDetails?

    /// True when the text only parsed after undoing a Vietnamese input method's rewriting.
    public var wasRecoveredFromInputMethod: Bool
    /// What was undone, when `wasRecoveredFromInputMethod` is true.
    public var recovery: InputMethodRecoveryNote?

    /// Creates a payload; identifiers default to absent.
    public init(kind: PayloadKind, raw: String, ravaoPersonID: UUID? = nil, ravaoTokenVersion: Int? = nil,
                nationalQID: String? = nil, cccdNumber: String? = nil, cmndNumber: String? = nil,
                bhytCardNumber: String? = nil, bhxhNumber: String? = nil, phone: ScannedPhone? = nil,
                fullName: String? = nil, birthDate: ScannedDate? = nil, gender: ScannedGender? = nil,
                address: String? = nil, cccdIssueDate: ScannedDate? = nil, bhyt: BHYTDetails? = nil,
                national: NationalQRDetails? = nil, recovery: InputMethodRecoveryNote? = nil) {
        self.kind = kind
        self.raw = raw
        self.ravaoPersonID = ravaoPersonID
        self.ravaoTokenVersion = ravaoTokenVersion
        self.nationalQID = nationalQID
        self.cccdNumber = cccdNumber
        self.cmndNumber = cmndNumber
        self.bhytCardNumber = bhytCardNumber
        self.bhxhNumber = bhxhNumber
        self.phone = phone
        self.fullName = fullName
        self.birthDate = birthDate
        self.gender = gender
        self.address = address
        self.cccdIssueDate = cccdIssueDate
        self.bhyt = bhyt
        self.national = national
        self.wasRecoveredFromInputMethod = recovery != nil
        self.recovery = recovery
    }
}
