/// Arithmetic in GF(2^8) with the QR field polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D).
enum GaloisField {
    /// exp is doubled in length so `exp[log a + log b]` needs no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var x = 1
        for i in 0..<255 {
            table[i] = UInt8(x)
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
        }
        for i in 255..<512 { table[i] = table[i - 255] }
        return table
    }()

    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    @inline(__always)
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }
}

/// Systematic Reed–Solomon encoder producing the EC codewords of one block.
struct ReedSolomon {
    /// Generator polynomial coefficients, highest degree first, leading 1 omitted.
    let generator: [UInt8]

    /// Builds g(x) = (x - α^0)(x - α^1)…(x - α^(degree-1)).
    init(degree: Int) {
        precondition(degree >= 1 && degree <= 255)
        var coefficients = [UInt8](repeating: 0, count: degree)
        coefficients[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                coefficients[j] = GaloisField.multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = GaloisField.multiply(root, 2)
        }
        generator = coefficients
    }

    /// Remainder of data(x)·x^degree divided by g(x): the EC codewords.
    func errorCorrection(for data: [UInt8]) -> [UInt8] {
        let degree = generator.count
        var remainder = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ remainder[0]
            // Shift left by one coefficient, then subtract factor·g(x).
            for i in 0..<(degree - 1) { remainder[i] = remainder[i + 1] }
            remainder[degree - 1] = 0
            if factor != 0 {
                let logFactor = GaloisField.log[Int(factor)]
                for i in 0..<degree where generator[i] != 0 {
                    remainder[i] ^= GaloisField.exp[GaloisField.log[Int(generator[i])] + logFactor]
                }
            }
        }
        return remainder
    }
}
