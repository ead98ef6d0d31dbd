import Foundation
import RavaoCore
import Testing

/// `UUID.text` and `UUID(text:)` stand in for Foundation's `uuidString` and `UUID(uuidString:)` on the
/// scan path.
@Suite("UUID text") struct UUIDTextTests {
    @Test func writesWhatFoundationWrites() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let id = UUID()
            #expect(id.text == id.uuidString)
            var bytes = id.uuid
            withUnsafeMutableBytes(of: &bytes) { for i in $0.indices { $0[i] = UInt8.random(in: 0...255, using: &generator) } }
            let any = UUID(uuid: bytes)  // not only version-4 bit patterns
            #expect(any.text == any.uuidString)
            #expect(UUID(text: any.text) == any)
        }
        let edges = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                     UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for id in edges { #expect(id.text == id.uuidString) }
    }

    /// It reads what the database holds (what `text` and `uuidString` wrote) as Foundation does. It is
    /// stricter than Foundation's `sscanf`, which also takes, for one, a space or a sign before a pair
    /// of digits: input from outside keeps Foundation's reader.
    @Test func readsStoredIdsAsFoundationDoes() {
        let id = UUID()
        var inputs = [id.uuidString, id.uuidString.lowercased(), "", "x", String(id.uuidString.dropLast()), id.uuidString + "0",
                      id.uuidString.replacingOccurrences(of: "-", with: ""), "{\(id.uuidString)}", " " + id.uuidString.dropFirst(),
                      "01A24F20-1361-75BC-9284-E2E06C053E8G", "01A24F20-1361-75BC-9284-E2E06C053E8g", "01A24F20+1361-75BC-9284-E2E06C053E85",
                      "01A24F20-1361-75BC-9284E-2E06C053E85", "01A24F2Ö-1361-75BC-9284-E2E06C053E8"]
        // Every single-character change of a valid id, with characters around the hex ranges' edges.
        let valid = Array(id.uuidString)
        for position in valid.indices {
            for replacement in ["/", "0", "9", ":", "@", "A", "F", "G", "`", "a", "f", "g", "-", " ", "é"] {
                var changed = valid
                changed[position] = Character(replacement)
                inputs.append(String(changed))
            }
        }
        let hex = Set("0123456789ABCDEFabcdef")
        for input in inputs {
            let chars = Array(input)
            let canonical = chars.count == 36 && chars.indices.allSatisfy { [8, 13, 18, 23].contains($0) ? chars[$0] == "-" : hex.contains(chars[$0]) }
            if canonical {
                #expect(UUID(text: input) != nil && UUID(text: input) == UUID(uuidString: input), "\(input)")
            } else {
                #expect(UUID(text: input) == nil, "\(input)")
            }
        }
    }
}
