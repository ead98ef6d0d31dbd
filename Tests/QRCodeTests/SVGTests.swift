import Foundation
import Testing
@testable import QRCode

@Suite("SVG output")
struct SVGTests {
    @Test("Standalone document: prolog, viewBox in modules incl. quiet zone, crisp edges, one path")
    func standalone() throws {
        let qr = try QRCode(text: "https://example.vn/c/Xk3aB9fQ2mZ")
        let svg = qr.svg()
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("viewBox=\"0 0 37 37\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test("Inline element for HTML: no prolog, 100% size, custom colours escaped")
    func inline() throws {
        let qr = try QRCode(text: "inline")
        let svg = qr.svg(quietZone: 2, darkColor: "#1a2b3c", lightColor: "transparent\"", standalone: false)
        #expect(svg.hasPrefix("<svg "))
        #expect(svg.contains("width=\"100%\" height=\"100%\""))
        #expect(svg.contains("viewBox=\"0 0 25 25\""))
        #expect(svg.contains("fill=\"#1a2b3c\""))
        #expect(svg.contains("fill=\"transparent&quot;\""))
        #expect(!svg.contains("<?xml"))
    }

    @Test("Path rectangles cover exactly the dark modules")
    func pathCoversDarkModules() throws {
        let qr = try QRCode(text: "Quán Cơm Bà Ba — Phường Hải Châu, Đà Nẵng", level: .quartile)
        let quietZone = 3
        let extent = qr.size + 2 * quietZone
        var covered = [Bool](repeating: false, count: extent * extent)
        // Each run is "M<x> <y>h<w>v1h-<w>z".
        for run in qr.pathData(quietZone: quietZone).split(separator: "z") {
            let parts = run.dropFirst().split(whereSeparator: { $0 == " " || $0 == "h" || $0 == "v" })
            let numbers = parts.compactMap { Int($0) }
            try #require(numbers.count == 5 && numbers[3] == 1 && numbers[4] == -numbers[2])
            for x in numbers[0]..<(numbers[0] + numbers[2]) {
                #expect(!covered[numbers[1] * extent + x], "overlap")
                covered[numbers[1] * extent + x] = true
            }
        }
        for y in 0..<extent {
            for x in 0..<extent {
                let mx = x - quietZone, my = y - quietZone
                let dark = mx >= 0 && my >= 0 && mx < qr.size && my < qr.size && qr[mx, my]
                #expect(covered[y * extent + x] == dark)
            }
        }
    }

    @Test("zbarimg decodes the SVG as rendered by ImageMagick's SVG coder")
    func decodesWithZbar() throws {
        let text = "https://example.vn/c/Xk3aB9fQ2mZ"
        let svg = try QRCode(text: text).svg()
        let decoded = try Zbar.decode(fileContents: Data(svg.utf8), fileExtension: "svg")
        #expect(String(decoding: decoded, as: UTF8.self) == text,
                "needs ImageMagick's SVG coder (libmagickcore-6.q16-6-extra, pulled in by zbar-tools)")
    }
}
