/// Writes a ZIP archive front to back, for bodies that are streamed to the client and never held whole.
///
/// Small entries are written complete (sizes and CRC in the local header). The one streamed entry uses
/// a data descriptor (flag bit 3) and DEFLATE framing with stored blocks: its CRC and sizes are only
/// known at the end, and "deflate + data descriptor" is the combination every reader (Excel,
/// LibreOffice, Python's zipfile) accepts from streaming writers. No ZIP64: entries stay below 4 GiB.
public struct ZIPStream: Sendable {
    struct Entry {
        let name: [UInt8]
        let method: UInt16
        let flags: UInt16
        let crc: UInt32
        let compressedSize: UInt32
        let size: UInt32
        let offset: UInt32
    }

    private var entries: [Entry] = []
    private var offset: UInt32 = 0
    /// The entry being streamed, if one is open. Its unsent bytes are kept apart (`pending`) and
    /// mutated in place: copying them per write would cost a block copy per spreadsheet row.
    private var open: (name: [UInt8], offset: UInt32, crc: CRC32, size: UInt32, compressed: UInt32)?
    private var pending: [UInt8] = []

    /// A stored block holds at most 65,535 bytes; smaller blocks would only add framing.
    static let blockSize = 65_535
    /// 1980-01-01 00:00 in MS-DOS date/time; export files carry their date in the name instead.
    static let dosTime: UInt16 = 0
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    public init() {}

    /// A complete, small entry (stored).
    public mutating func add(_ name: String, _ data: [UInt8]) -> [UInt8] {
        precondition(open == nil, "finish the streamed entry first")
        let nameBytes = Array(name.utf8)
        let crc = CRC32.checksum(data)
        let entry = Entry(name: nameBytes, method: 0, flags: 0, crc: crc, compressedSize: UInt32(data.count), size: UInt32(data.count), offset: offset)
        var out = localHeader(entry)
        out += data
        entries.append(entry)
        offset += UInt32(out.count)
        return out
    }

    /// Opens the streamed entry; write its content with `write` and close it with `closeEntry`.
    public mutating func beginEntry(_ name: String) -> [UInt8] {
        precondition(open == nil, "only one streamed entry at a time")
        let nameBytes = Array(name.utf8)
        let header = localHeader(Entry(name: nameBytes, method: 8, flags: 0x0008, crc: 0, compressedSize: 0, size: 0, offset: offset))
        open = (nameBytes, offset, CRC32(), 0, 0)
        pending.removeAll(keepingCapacity: true)
        offset += UInt32(header.count)
        return header
    }

    /// Adds content; returns whatever complete blocks are ready to send (often nothing).
    public mutating func write(_ bytes: [UInt8]) -> [UInt8] {
        guard var entry = open else { preconditionFailure("no open entry") }
        entry.crc.update(bytes)
        entry.size &+= UInt32(bytes.count)
        pending += bytes
        var out: [UInt8] = []
        while pending.count >= Self.blockSize {
            out += Self.storedBlock(pending[0..<Self.blockSize], final: false)
            pending.removeFirst(Self.blockSize)
        }
        entry.compressed &+= UInt32(out.count)
        open = entry
        offset &+= UInt32(out.count)
        return out
    }

    /// Flushes the last block and writes the data descriptor.
    public mutating func closeEntry() -> [UInt8] {
        guard var entry = open else { preconditionFailure("no open entry") }
        var out = Self.storedBlock(pending[...], final: true)
        pending.removeAll()
        entry.compressed &+= UInt32(out.count)
        out += le32(0x0807_4B50) + le32(entry.crc.value) + le32(entry.compressed) + le32(entry.size)
        entries.append(Entry(name: entry.name, method: 8, flags: 0x0008, crc: entry.crc.value, compressedSize: entry.compressed,
                             size: entry.size, offset: entry.offset))
        open = nil
        offset &+= UInt32(out.count)
        return out
    }

    /// The central directory and its end record.
    public mutating func finish() -> [UInt8] {
        precondition(open == nil, "close the streamed entry first")
        var directory: [UInt8] = []
        for e in entries {
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(e.flags) + le16(e.method) + le16(Self.dosTime) + le16(Self.dosDate)
            directory += le32(e.crc) + le32(e.compressedSize) + le32(e.size) + le16(UInt16(e.name.count)) + le16(0) + le16(0)
            directory += le16(0) + le16(0) + le32(0) + le32(e.offset) + e.name
        }
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
            + le32(UInt32(directory.count)) + le32(offset) + le16(0)
        offset &+= UInt32(directory.count + end.count)
        return directory + end
    }

    private func localHeader(_ e: Entry) -> [UInt8] {
        le32(0x0403_4B50) + le16(20) + le16(e.flags) + le16(e.method) + le16(Self.dosTime) + le16(Self.dosDate)
            + le32(e.crc) + le32(e.compressedSize) + le32(e.size) + le16(UInt16(e.name.count)) + le16(0) + e.name
    }

    /// A DEFLATE stored block (RFC 1951 §3.2.4): header bits, then LEN and its complement, then the bytes.
    static func storedBlock(_ bytes: ArraySlice<UInt8>, final: Bool) -> [UInt8] {
        let length = UInt16(bytes.count)
        return [final ? 1 : 0] + le16(length) + le16(~length) + Array(bytes)
    }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
