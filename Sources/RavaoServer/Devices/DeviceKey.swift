/// Keys that kiosks present as bearer tokens. The prefix tells them from session tokens without a
/// database read; only the SHA-256 of a key is stored, so it is shown to the owner once.
enum DeviceKey {
    static let prefix = "rvd_"

    static func generate() -> String { prefix + ServerKeys.randomToken() }
}
