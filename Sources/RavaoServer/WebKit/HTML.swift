import Hummingbird
import RavaoCore

/// A fragment of markup. Interpolated strings are escaped; only `HTML` values go in raw, so user
/// input cannot become markup by accident.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(unsafeRaw text: String) { self.text = text }
    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    public var description: String { text }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: String) { text += HTMLEscaping.escape(value) }
        public mutating func appendInterpolation(_ value: Int) { text += String(value) }
        public mutating func appendInterpolation(_ value: HTML) { text += value.text }
        public mutating func appendInterpolation(_ value: HTML?) { if let value { text += value.text } }
        public mutating func appendInterpolation(_ values: [HTML]) { for value in values { text += value.text } }
    }

    public static func + (a: HTML, b: HTML) -> HTML { HTML(unsafeRaw: a.text + b.text) }

    /// `selected`/`checked`-style boolean attributes.
    public static func attribute(_ name: String, _ on: Bool) -> HTML { on ? HTML(unsafeRaw: " \(name)") : "" }

    public func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
