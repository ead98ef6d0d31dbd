// Turns a byte payload into the final codeword sequence and module grid.

enum Encoder {
    /// Smallest version >= minimumVersion whose byte-mode capacity holds `byteCount`.
    static func chooseVersion(byteCount: Int, level: ErrorCorrectionLevel, minimumVersion: Int) throws(QRCodeError) -> Int {
        guard (Tables.minVersion...Tables.maxVersion).contains(minimumVersion) else {
            throw .invalidMinimumVersion(minimumVersion)
        }
        for version in minimumVersion...Tables.maxVersion
        where Tables.byteCapacity(version: version, level: level) >= byteCount {
            return version
        }
        throw .dataTooLong(byteCount: byteCount, capacity: Tables.byteCapacity(version: Tables.maxVersion, level: level))
    }

    /// Byte-mode segment, terminator, zero bits to a byte boundary, then alternating pad bytes.
    static func dataCodewords(_ payload: [UInt8], version: Int, level: ErrorCorrectionLevel) -> [UInt8] {
        let capacity = Tables.dataCodewords(version: version, level: level)
        var buffer = BitBuffer(capacityInBytes: capacity)
        buffer.append(0b0100, bitCount: 4) // byte mode indicator
        buffer.append(payload.count, bitCount: Tables.byteCountBits(version: version))
        buffer.append(bytes: payload)
        let capacityBits = capacity * 8
        precondition(buffer.count <= capacityBits, "payload exceeds the chosen version")
        buffer.append(0, bitCount: min(4, capacityBits - buffer.count))
        buffer.append(0, bitCount: (8 - buffer.count % 8) % 8)
        var codewords = buffer.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacity {
            codewords.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return codewords
    }

    /// Splits data into RS blocks (short blocks first, long blocks one codeword longer),
    /// appends each block's EC codewords, and interleaves column-wise so that a burst
    /// of damage is spread over many blocks.
    static func interleavedCodewords(_ data: [UInt8], version: Int, level: ErrorCorrectionLevel) -> [UInt8] {
        let blockCount = Tables.ecBlockCount[level.tableIndex][version]
        let ecLength = Tables.ecCodewordsPerBlock[level.tableIndex][version]
        let total = Tables.totalCodewords(version: version)
        let shortBlockCount = blockCount - total % blockCount
        let shortDataLength = total / blockCount - ecLength
        precondition(data.count == shortDataLength * blockCount + (blockCount - shortBlockCount))

        let rs = ReedSolomon(degree: ecLength)
        var dataBlocks: [ArraySlice<UInt8>] = []
        var ecBlocks: [[UInt8]] = []
        var offset = 0
        for i in 0..<blockCount {
            let length = shortDataLength + (i < shortBlockCount ? 0 : 1)
            let block = data[offset..<(offset + length)]
            offset += length
            dataBlocks.append(block)
            ecBlocks.append(rs.errorCorrection(for: Array(block)))
        }

        var result: [UInt8] = []
        result.reserveCapacity(total)
        for i in 0...shortDataLength {
            for block in dataBlocks where i < block.count {
                result.append(block[block.startIndex + i])
            }
        }
        for i in 0..<ecLength {
            for block in ecBlocks { result.append(block[i]) }
        }
        return result
    }

    /// Full pipeline. `mask` forces a pattern (tests); otherwise the lowest-penalty one wins,
    /// ties going to the lower pattern number.
    static func encode(_ payload: [UInt8], level: ErrorCorrectionLevel, minimumVersion: Int, mask forcedMask: Int?)
        throws(QRCodeError) -> (version: Int, mask: Int, matrix: Matrix)
    {
        let version = try chooseVersion(byteCount: payload.count, level: level, minimumVersion: minimumVersion)
        let data = dataCodewords(payload, version: version, level: level)
        var matrix = Matrix(version: version)
        matrix.placeCodewords(interleavedCodewords(data, version: version, level: level))

        let size = matrix.size
        let formatPositions = FormatInfo.positions(size: size)
        func stampFormat(_ modules: inout [UInt8], mask: Int) {
            let bits = FormatInfo.bits(level: level, mask: mask)
            for (i, position) in formatPositions.enumerated() {
                let bit = UInt8((bits >> i) & 1)
                modules[position.first.y * size + position.first.x] = bit
                modules[position.second.y * size + position.second.x] = bit
            }
        }

        let dataModules = matrix.dataModules
        func masked(_ mask: Int) -> [UInt8] {
            var modules = matrix.modules
            Masking.apply(pattern: mask, to: &modules, dataModules: dataModules, size: size)
            stampFormat(&modules, mask: mask)
            return modules
        }

        var bestMask = forcedMask ?? 0
        var bestModules = masked(bestMask)
        if forcedMask == nil {
            var bestPenalty = Masking.penalty(bestModules, size: size)
            for mask in 1..<8 {
                let modules = masked(mask)
                let penalty = Masking.penalty(modules, size: size)
                if penalty < bestPenalty {
                    (bestMask, bestModules, bestPenalty) = (mask, modules, penalty)
                }
            }
        }
        matrix.modules = bestModules
        return (version, bestMask, matrix)
    }
}
