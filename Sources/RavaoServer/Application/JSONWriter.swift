import Hummingbird

/// Writes JSON byte for byte as `JSONResponse` does (`JSONEncoder` with sorted keys and unescaped
/// slashes), for the answer written on every scan: the encoder's generic walk cost ~4 % of a scan's
/// CPU (issue 16). The caller writes members in sorted key order; `ScanAnswerJSONTests` compares the
/// two outputs on random answers, so a field added to one and not the other fails there.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next member or element is its container's first (no comma before it).
    private var first = true

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func object(_ members: (inout JSONWriter) -> Void) {
        open(UInt8(ascii: "{"))
        members(&self)
        close(UInt8(ascii: "}"))
    }

    mutating func array(_ elements: (inout JSONWriter) -> Void) {
        open(UInt8(ascii: "["))
        elements(&self)
        close(UInt8(ascii: "]"))
    }

    mutating func key(_ name: String) {
        separate()
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
        first = true
    }

    mutating func string(_ value: String) {
        separate()
        quoted(value)
        first = false
    }

    mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        first = false
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        first = false
    }

    mutating func strings(_ values: [String]) {
        array { w in for value in values { w.string(value) } }
    }

    /// A `[String: String]` as the encoder writes it: keys in byte order.
    mutating func dictionary(_ values: [String: String]) {
        object { w in
            for key in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                w.key(key)
                w.string(values[key]!)
            }
        }
    }

    private mutating func open(_ byte: UInt8) {
        separate()
        bytes.append(byte)
        first = true
    }

    private mutating func close(_ byte: UInt8) {
        bytes.append(byte)
        first = false
    }

    private mutating func separate() {
        if !first { bytes.append(UInt8(ascii: ",")) }
    }

    /// The encoder's escapes: quote, backslash, the five short forms, other controls as `\u00xx`
    /// (lower-case hex); everything else, `/` and non-ASCII included, as it is.
    private mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole, where appending byte by byte was 1 % of a scan.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// An answer written with `JSONWriter`, sent with the headers `JSONResponse` sends.
struct WrittenJSONResponse: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let bytes: [UInt8]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
