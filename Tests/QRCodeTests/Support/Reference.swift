@testable import QRCode

/// Straightforward, deliberately slow reading of ISO/IEC 18004 Table 11, used to check the
/// optimised `Masking.penalty`. Modules outside the symbol count as light.
func naivePenalty(_ qr: QRCode) -> Int {
    let n = qr.size
    var lines: [[Bool]] = []
    for y in 0..<n { lines.append((0..<n).map { qr[$0, y] }) }
    for x in 0..<n { lines.append((0..<n).map { qr[x, $0] }) }

    var score = 0
    let finder: [Bool] = [true, false, true, true, true, false, true]
    for line in lines {
        // N1: each maximal run of five or more scores 3 + (length - 5).
        var i = 0
        while i < n {
            var j = i
            while j < n && line[j] == line[i] { j += 1 }
            if j - i >= 5 { score += 3 + (j - i - 5) }
            i = j
        }
        // N3: 1011101 with four light modules before or after it.
        func isDark(_ k: Int) -> Bool { k >= 0 && k < n && line[k] }
        for start in 0...(n - 7) where (0..<7).allSatisfy({ line[start + $0] == finder[$0] }) {
            let lightBefore = (1...4).allSatisfy { !isDark(start - $0) }
            let lightAfter = (7..<11).allSatisfy { !isDark(start + $0) }
            if lightBefore || lightAfter { score += 40 }
        }
    }
    for y in 0..<(n - 1) {
        for x in 0..<(n - 1) where qr[x, y] == qr[x + 1, y] && qr[x, y] == qr[x, y + 1] && qr[x, y] == qr[x + 1, y + 1] {
            score += 3
        }
    }
    var dark = 0
    for y in 0..<n { for x in 0..<n where qr[x, y] { dark += 1 } }
    let percent = Double(dark) * 100 / Double(n * n)
    score += 10 * Int(abs(percent - 50) / 5)
    return score
}

/// Matrix as rows of "#" (dark) and "." (light), the format the reference vectors use.
func rows(of qr: QRCode) -> [String] {
    (0..<qr.size).map { y in String((0..<qr.size).map { qr[$0, y] ? "#" : "." }) }
}

/// Deterministic bytes that exercise every value, for filling symbols to capacity.
func samplePayload(count: Int, seed: Int) -> [UInt8] {
    var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 1)
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}
