// Data masking (ISO/IEC 18004 7.8): the eight patterns and the penalty score
// used to pick the one that leaves the fewest decoder-confusing features.

enum Masking {
    /// Whether mask `pattern` inverts the module at column x, row y.
    @inline(__always)
    static func inverts(pattern: Int, x: Int, y: Int) -> Bool {
        switch pattern {
        case 0: return (x + y) % 2 == 0
        case 1: return y % 2 == 0
        case 2: return x % 3 == 0
        case 3: return (x + y) % 3 == 0
        case 4: return (y / 2 + x / 3) % 2 == 0
        case 5: return (x * y) % 2 + (x * y) % 3 == 0
        case 6: return ((x * y) % 2 + (x * y) % 3) % 2 == 0
        case 7: return ((x + y) % 2 + (x * y) % 3) % 2 == 0
        default: preconditionFailure("mask pattern must be 0...7")
        }
    }

    /// Applies (or, applied again, removes) a mask; `dataModules` is 1 where a module may be
    /// masked and 0 on function patterns, so the inner loop needs no branch on it.
    static func apply(pattern: Int, to modules: inout [UInt8], dataModules: [UInt8], size: Int) {
        // One specialised loop per pattern keeps the pattern switch out of the per-module work.
        switch pattern {
        case 0: flip(&modules, dataModules, size) { x, y in inverts(pattern: 0, x: x, y: y) }
        case 1: flip(&modules, dataModules, size) { x, y in inverts(pattern: 1, x: x, y: y) }
        case 2: flip(&modules, dataModules, size) { x, y in inverts(pattern: 2, x: x, y: y) }
        case 3: flip(&modules, dataModules, size) { x, y in inverts(pattern: 3, x: x, y: y) }
        case 4: flip(&modules, dataModules, size) { x, y in inverts(pattern: 4, x: x, y: y) }
        case 5: flip(&modules, dataModules, size) { x, y in inverts(pattern: 5, x: x, y: y) }
        case 6: flip(&modules, dataModules, size) { x, y in inverts(pattern: 6, x: x, y: y) }
        case 7: flip(&modules, dataModules, size) { x, y in inverts(pattern: 7, x: x, y: y) }
        default: preconditionFailure("mask pattern must be 0...7")
        }
    }

    @inline(__always)
    private static func flip(_ modules: inout [UInt8], _ dataModules: [UInt8], _ size: Int,
                             _ inverts: (Int, Int) -> Bool) {
        precondition(modules.count == size * size && dataModules.count == size * size)
        modules.withUnsafeMutableBufferPointer { m in
            dataModules.withUnsafeBufferPointer { d in
                var i = 0
                for y in 0..<size {
                    for x in 0..<size {
                        m[i] ^= d[i] & (inverts(x, y) ? 1 : 0)
                        i += 1
                    }
                }
            }
        }
    }

    /// Total penalty N1 + N2 + N3 + N4 of a finished (masked, format-stamped) symbol.
    /// Linear in the module count: every row and column is scanned once, and N3 uses a
    /// sliding bit window instead of re-reading eleven modules at each position.
    static func penalty(_ modules: [UInt8], size: Int) -> Int {
        modules.withUnsafeBufferPointer { m in
            var score = 0
            for i in 0..<size {
                score += linePenalty(m, start: i * size, step: 1, count: size) // row i
                score += linePenalty(m, start: i, step: size, count: size)     // column i
            }

            // N2: every 2×2 block of one colour costs 3 (overlapping blocks all count).
            // Bitwise rather than && so random data does not cost a mispredicted branch each.
            var blocks = 0
            for y in 0..<(size - 1) {
                let row = y * size, next = row + size
                for x in 0..<(size - 1) {
                    let c = m[row + x]
                    let differs = (c ^ m[row + x + 1]) | (c ^ m[next + x]) | (c ^ m[next + x + 1])
                    blocks &+= Int(differs ^ 1)
                }
            }
            score += 3 * blocks

            // N4: 10 points for each full 5% step the dark share deviates from 50%.
            var dark = 0
            for v in m { dark &+= Int(v) }
            let total = size * size
            score += 10 * (abs(dark * 20 - total * 10) / total)
            return score
        }
    }

    /// Light-light-light-light then dark-light-dark-dark-dark-light-dark, oldest bit highest.
    private static let finderAfterLight = 0b0000_1011101
    /// The 1:1:3:1:1 pattern followed by four light modules.
    private static let finderBeforeLight = 0b1011101_0000

    /// N1 (runs of five or more: 3 + excess) and N3 (1:1:3:1:1 with four light modules on
    /// either side: 40 each) along one row or column. Modules beyond the edge count as light
    /// because the quiet zone is light. Written so the per-module work is branch-free except
    /// for rare events (a run reaching five, a finder-like window).
    @inline(__always)
    private static func linePenalty(_ m: UnsafeBufferPointer<UInt8>, start: Int, step: Int, count: Int) -> Int {
        var score = 0
        var previous = Int(m[start]) // first module: run of 0 + 1
        var runLength = 0
        var window = 0 // last 15 modules, newest in bit 0; starts as light quiet zone
        var index = start
        for _ in 0..<count {
            let c = Int(m[index])
            index &+= step
            // Arithmetic instead of a branch: colours alternate unpredictably in data regions.
            runLength = runLength &* (1 &- (c ^ previous)) &+ 1
            previous = c
            // A run of length L >= 5 scores L - 2: 3 when it reaches five, 1 per module after.
            if runLength >= 5 { score += runLength == 5 ? 3 : 1 }
            window = (window << 1 | c) & 0x7FFF
            score += finderPenalty(window)
        }
        for _ in 0..<4 { // the light quiet zone after the edge
            window = (window << 1) & 0x7FFF
            score += finderPenalty(window)
        }
        return score
    }

    @inline(__always)
    private static func finderPenalty(_ window: Int) -> Int {
        let last11 = window & 0x7FF
        if last11 == finderAfterLight { return 40 }
        // Light on both sides was already counted when the pattern ended.
        if last11 == finderBeforeLight && window >> 11 != 0 { return 40 }
        return 0
    }
}
