import Foundation
import Synchronization

/// Where "now" comes from, so that expiry rules (OTP lifetime, resend waits, stays) can be tested
/// by moving time instead of sleeping.
public protocol TimeSource: Sendable {
    func now() -> Date
}

extension TimeSource {
    /// Unix seconds, the unit every stored time uses.
    public func seconds() -> Int64 { Int64(now().timeIntervalSince1970.rounded(.down)) }
}

public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to.
public final class ManualTimeSource: TimeSource {
    private let current: Mutex<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
