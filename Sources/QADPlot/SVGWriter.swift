import Foundation

/// Writes a drawing as standalone SVG 1.1 text.
public enum SVGWriter {
    public static func svg(_ d: Drawing) -> String {
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(d.width)" height="\(d.height)" \
            viewBox="0 0 \(d.width) \(d.height)" font-family="Helvetica, Arial, sans-serif">

            """
        for s in d.shapes {
            switch s {
            case let .polyline(pts, stroke, width, dashed):
                out += "<polyline fill=\"none\" stroke=\"\(stroke.hex)\"\(opacity(stroke, "stroke-opacity")) "
                    + "stroke-width=\"\(num(width))\"\(dashed ? " stroke-dasharray=\"4 3\"" : "") points=\"\(points(pts))\"/>\n"
            case let .polygon(pts, fill):
                out += "<polygon fill=\"\(fill.hex)\"\(opacity(fill, "fill-opacity")) points=\"\(points(pts))\"/>\n"
            case let .rect(x, y, w, h, fill):
                out += "<rect x=\"\(num(x))\" y=\"\(num(y))\" width=\"\(num(w))\" height=\"\(num(h))\" "
                    + "fill=\"\(fill.hex)\"\(opacity(fill, "fill-opacity"))/>\n"
            case let .circle(x, y, r, fill):
                out += "<circle cx=\"\(num(x))\" cy=\"\(num(y))\" r=\"\(num(r))\" fill=\"\(fill.hex)\"\(opacity(fill, "fill-opacity"))/>\n"
            case let .text(text, x, y, size, color, anchor, vertical):
                let a = anchor == .start ? "start" : anchor == .middle ? "middle" : "end"
                let rotate = vertical ? " transform=\"rotate(-90 \(num(x)) \(num(y)))\"" : ""
                out += "<text x=\"\(num(x))\" y=\"\(num(y))\" font-size=\"\(num(size))\" fill=\"\(color.hex)\" "
                    + "text-anchor=\"\(a)\"\(rotate)>\(escape(text))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// Text content escaped for XML (titles carry catalog text).
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    private static func opacity(_ c: RGBA, _ attribute: String) -> String {
        c.a < 1 ? " \(attribute)=\"\(num(c.a))\"" : ""
    }

    private static func points(_ pts: [(Double, Double)]) -> String {
        pts.map { num($0.0) + "," + num($0.1) }.joined(separator: " ")
    }

    static func num(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
