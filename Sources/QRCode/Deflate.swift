// Minimal DEFLATE (RFC 1951) compressor: greedy LZ77 with hash chains, coded with the
// fixed Huffman tables. QR bitmaps are long runs and repeated scanlines, so this gets
// most of the benefit of a full encoder without dynamic trees.

enum Deflate {
    /// zlib stream (RFC 1950): header, one fixed-Huffman block, Adler-32 trailer.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01] // deflate, 32K window, no dictionary, fastest-level hint
        out.append(contentsOf: compress(data))
        let adler = Adler32.checksum(data)
        out.append(contentsOf: [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)])
        return out
    }

    private static let windowSize = 32768
    private static let minMatch = 3
    private static let maxMatch = 258
    private static let maxChainSteps = 32
    /// A match this long ends the search early (zlib's "nice_length").
    private static let niceLength = 128
    /// Only the start of longer matches goes into the hash chains.
    private static let maxInsertLength = 32
    private static let maxHashBits = 15

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                             3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                              257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                              8193, 12289, 16385, 24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                               7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Raw deflate data (no zlib wrapper), a single final fixed-Huffman block.
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bitCount: 1) // BFINAL
        writer.write(1, bitCount: 2) // BTYPE = 01, fixed Huffman

        // Small inputs get a small head table: clearing it dominates otherwise.
        var hashBits = 9
        while hashBits < maxHashBits && 1 << hashBits < data.count { hashBits += 1 }
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var previous = [Int32](repeating: -1, count: data.count)
        data.withUnsafeBufferPointer { d in
            head.withUnsafeMutableBufferPointer { head in
                previous.withUnsafeMutableBufferPointer { previous in
                    writeMatchesAndLiterals(d, head: head, previous: previous, to: &writer)
                }
            }
        }
        writeLiteral(256, to: &writer) // end of block
        return writer.finish()
    }

    /// Greedy LZ77 parse. `head` maps a 3-byte hash to the latest position with it and
    /// `previous` chains each position to the one before with the same hash.
    private static func writeMatchesAndLiterals(
        _ d: UnsafeBufferPointer<UInt8>,
        head: UnsafeMutableBufferPointer<Int32>,
        previous: UnsafeMutableBufferPointer<Int32>,
        to writer: inout BitWriter
    ) {
        let hashMask = head.count - 1
        @inline(__always) func hash(_ i: Int) -> Int {
            (Int(d[i]) << 10 ^ Int(d[i + 1]) << 5 ^ Int(d[i + 2])) & hashMask
        }
        @inline(__always) func insert(_ i: Int) {
            guard i + minMatch <= d.count else { return }
            let h = hash(i)
            previous[i] = head[h]
            head[h] = Int32(i)
        }
        /// Common prefix length of the data at `candidate` and at `i`, compared 8 bytes at a time.
        @inline(__always) func matchLength(_ candidate: Int, _ i: Int, _ limit: Int) -> Int {
            let raw = UnsafeRawPointer(d.baseAddress!)
            var length = 0
            while length + 8 <= limit {
                let a = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: candidate + length, as: UInt64.self))
                let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + length, as: UInt64.self))
                if a != b { return length + (a ^ b).trailingZeroBitCount / 8 }
                length += 8
            }
            while length < limit && d[candidate + length] == d[i + length] { length += 1 }
            return length
        }

        var i = 0
        var lastDistance = 0
        while i < d.count {
            var bestLength = 0, bestDistance = 0
            let limit = min(maxMatch, d.count - i)
            // Try the previous distance first: a scaled bitmap repeats whole scanlines, so
            // the last distance (one row back) usually gives a maximal match at once.
            if lastDistance > 0 && lastDistance <= i {
                bestLength = matchLength(i - lastDistance, i, limit)
                bestDistance = lastDistance
            }
            if bestLength < min(niceLength, limit) && i + minMatch <= d.count {
                var candidate = Int(head[hash(i)])
                var steps = 0
                while candidate >= 0 && i - candidate <= windowSize && steps < maxChainSteps {
                    // Cheap reject: a longer match must also agree at the current best length.
                    if d[candidate + bestLength] == d[i + bestLength] {
                        let length = matchLength(candidate, i, limit)
                        if length > bestLength {
                            bestLength = length
                            bestDistance = i - candidate
                            if length >= min(niceLength, limit) { break }
                        }
                    }
                    candidate = Int(previous[candidate])
                    steps += 1
                }
            }
            if bestLength >= minMatch {
                writeLength(bestLength, to: &writer)
                writeDistance(bestDistance, to: &writer)
                lastDistance = bestDistance
                // Indexing every position of a long match costs more than it finds later.
                for j in i..<(i + min(bestLength, maxInsertLength)) { insert(j) }
                i += bestLength
            } else {
                writeLiteral(Int(d[i]), to: &writer)
                insert(i)
                i += 1
            }
        }
    }

    /// Fixed literal/length code (RFC 1951 3.2.6).
    private static func writeLiteral(_ symbol: Int, to writer: inout BitWriter) {
        switch symbol {
        case 0...143: writer.writeHuffman(0x30 + symbol, bitCount: 8)
        case 144...255: writer.writeHuffman(0x190 + symbol - 144, bitCount: 9)
        case 256...279: writer.writeHuffman(symbol - 256, bitCount: 7)
        default: writer.writeHuffman(0xC0 + symbol - 280, bitCount: 8)
        }
    }

    private static func writeLength(_ length: Int, to writer: inout BitWriter) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        writeLiteral(257 + code, to: &writer)
        writer.write(length - lengthBase[code], bitCount: lengthExtra[code])
    }

    private static func writeDistance(_ distance: Int, to writer: inout BitWriter) {
        var code = distanceBase.count - 1
        while distanceBase[code] > distance { code -= 1 }
        writer.writeHuffman(code, bitCount: 5)
        writer.write(distance - distanceBase[code], bitCount: distanceExtra[code])
    }
}

/// DEFLATE bit packing: values least-significant bit first, Huffman codes most-significant first.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var pending = 0

    mutating func write(_ value: Int, bitCount: Int) {
        guard bitCount > 0 else { return }
        accumulator |= UInt64(value) << UInt64(pending)
        pending += bitCount
        while pending >= 8 {
            bytes.append(UInt8(accumulator & 0xFF))
            accumulator >>= 8
            pending -= 8
        }
    }

    mutating func writeHuffman(_ code: Int, bitCount: Int) {
        var reversed = 0
        for i in 0..<bitCount where (code >> i) & 1 != 0 { reversed |= 1 << (bitCount - 1 - i) }
        write(reversed, bitCount: bitCount)
    }

    /// Flushes the partial last byte (zero padded).
    mutating func finish() -> [UInt8] {
        if pending > 0 {
            bytes.append(UInt8(accumulator & 0xFF))
            accumulator = 0
            pending = 0
        }
        return bytes
    }
}
