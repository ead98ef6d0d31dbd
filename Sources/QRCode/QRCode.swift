// Public surface of the QR code encoder (ISO/IEC 18004, byte mode only).

/// Error-correction level; higher levels survive more damage at the cost of capacity.
public enum ErrorCorrectionLevel: Sendable, CaseIterable {
    /// Recovers about 7% of codewords.
    case low
    /// Recovers about 15% of codewords; the usual choice for printed codes.
    case medium
    /// Recovers about 25% of codewords.
    case quartile
    /// Recovers about 30% of codewords, e.g. when a logo covers part of the symbol.
    case high

    /// Row in the per-level tables, ordered L, M, Q, H as in the standard.
    var tableIndex: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The 2-bit level indicator in format information (deliberately not in L<M<Q<H order).
    var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

/// Why a symbol could not be built.
public enum QRCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The payload exceeds what a version-40 symbol holds at the requested level.
    case dataTooLong(byteCount: Int, capacity: Int)
    /// `minimumVersion` must lie in 1...40.
    case invalidMinimumVersion(Int)

    public var description: String {
        switch self {
        case let .dataTooLong(byteCount, capacity):
            "QR code data too long: \(byteCount) bytes, at most \(capacity) fit at this error-correction level"
        case let .invalidMinimumVersion(version):
            "QR code minimum version \(version) is outside 1...40"
        }
    }
}

/// An encoded, immutable QR code symbol.
public struct QRCode: Sendable {
    /// Symbol version 1...40; the smallest that fits unless a minimum was requested.
    public let version: Int
    /// Error-correction level the symbol was built with.
    public let level: ErrorCorrectionLevel
    /// Modules per side, 17 + 4 × version (quiet zone not included).
    public let size: Int
    /// Chosen mask pattern 0...7, kept for tests and diagnostics.
    let mask: Int
    /// Row-major, true = dark.
    private let modules: [Bool]

    /// Module at column x, row y (origin top-left); true = dark.
    public subscript(x: Int, y: Int) -> Bool {
        precondition(x >= 0 && x < size && y >= 0 && y < size, "module (\(x), \(y)) outside a \(size)×\(size) symbol")
        return modules[y * size + x]
    }

    /// Encodes text as UTF-8 in byte mode. No ECI header is emitted: common readers
    /// detect UTF-8 on their own, while some older ones reject ECI segments outright.
    public init(text: String, level: ErrorCorrectionLevel = .medium, minimumVersion: Int = 1) throws(QRCodeError) {
        try self.init(bytes: Array(text.utf8), level: level, minimumVersion: minimumVersion, mask: nil)
    }

    /// Encodes arbitrary bytes in byte mode.
    public init(bytes: [UInt8], level: ErrorCorrectionLevel = .medium, minimumVersion: Int = 1) throws(QRCodeError) {
        try self.init(bytes: bytes, level: level, minimumVersion: minimumVersion, mask: nil)
    }

    /// `mask` forces a pattern so tests can compare against reference symbols.
    init(bytes: [UInt8], level: ErrorCorrectionLevel, minimumVersion: Int, mask: Int?) throws(QRCodeError) {
        let result = try Encoder.encode(bytes, level: level, minimumVersion: minimumVersion, mask: mask)
        version = result.version
        self.level = level
        size = result.matrix.size
        self.mask = result.mask
        modules = result.matrix.modules.map { $0 != 0 }
    }
}
