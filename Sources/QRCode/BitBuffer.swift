/// Append-only bit sequence, most significant bit first, as the QR data stream is defined.
struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    init(capacityInBytes: Int = 0) {
        bytes.reserveCapacity(capacityInBytes)
    }

    /// Appends the low `bitCount` bits of `value`, high bit first.
    mutating func append(_ value: Int, bitCount: Int) {
        precondition(bitCount >= 0 && bitCount <= 31 && value >> bitCount == 0, "value does not fit in bitCount")
        var i = bitCount - 1
        while i >= 0 {
            if count & 7 == 0 { bytes.append(0) }
            if (value >> i) & 1 != 0 {
                bytes[bytes.count - 1] |= 0x80 >> UInt8(count & 7)
            }
            count += 1
            i -= 1
        }
    }

    /// Byte-aligned fast path for the payload itself.
    mutating func append(bytes newBytes: [UInt8]) {
        if count & 7 == 0 {
            bytes.append(contentsOf: newBytes)
            count += newBytes.count * 8
        } else {
            for b in newBytes { append(Int(b), bitCount: 8) }
        }
    }
}
