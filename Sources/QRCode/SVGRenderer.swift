// SVG output. One <path> of horizontal runs keeps the file small, and integer module
// coordinates with crispEdges stop renderers from anti-aliasing seams between modules.
// A standalone file carries a default size of 8 px per module for viewers that need one;
// the inline form is 100% × 100% so the surrounding CSS decides. stroke="none" is the SVG
// default, spelled out because ImageMagick's built-in renderer strokes shapes otherwise.

extension QRCode {
    /// SVG whose viewBox is in modules (quiet zone included) so it scales to any size; `standalone: false` gives a bare `<svg>` for inline HTML.
    public func svg(quietZone: Int = 4, darkColor: String = "#000", lightColor: String = "#fff", standalone: Bool = true) -> String {
        precondition(quietZone >= 0, "quietZone must not be negative")
        let extent = size + 2 * quietZone
        let dimensions = standalone ? "width=\"\(extent * 8)\" height=\"\(extent * 8)\"" : "width=\"100%\" height=\"100%\""
        var svg = standalone ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(extent) \(extent)\" \(dimensions) shape-rendering=\"crispEdges\">"
        svg += "<rect width=\"\(extent)\" height=\"\(extent)\" stroke=\"none\" fill=\"\(Self.escapeAttribute(lightColor))\"/>"
        svg += "<path stroke=\"none\" fill=\"\(Self.escapeAttribute(darkColor))\" d=\"\(pathData(quietZone: quietZone))\"/>"
        svg += "</svg>"
        if standalone { svg += "\n" }
        return svg
    }

    /// Path data for the dark modules, offset by the quiet zone: one closed rectangle per
    /// horizontal run ("M x y h w v1 h-w z"), in module units.
    func pathData(quietZone: Int) -> String {
        var d = ""
        d.reserveCapacity(size * size * 2)
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else { x += 1; continue }
                let start = x
                while x < size && self[x, y] { x += 1 }
                let width = x - start
                d += "M\(start + quietZone) \(y + quietZone)h\(width)v1h-\(width)z"
            }
        }
        return d
    }

    /// Colours come from callers; escaping keeps a stray quote from breaking the markup.
    private static func escapeAttribute(_ value: String) -> String {
        var result = ""
        for ch in value {
            switch ch {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(ch)
            }
        }
        return result
    }
}
