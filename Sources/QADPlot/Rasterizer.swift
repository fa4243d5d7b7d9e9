import Foundation

/// Paints a drawing into RGB pixels: even-odd scanline polygon fill (lines are
/// filled quads), alpha blending, the built-in bitmap font, and 2× supersampling
/// averaged down for smooth edges. Enough for figures; no font files, no network.
public struct Rasterizer {
    static let supersample = 2

    public static func png(_ d: Drawing) throws -> [UInt8] {
        let (w, h, rgb) = rgb(d)
        return try PNGEncoder.encode(width: w, height: h, rgb: rgb)
    }

    /// The drawing as 8-bit RGB rows, top to bottom.
    public static func rgb(_ d: Drawing) -> (Int, Int, [UInt8]) {
        let k = Double(supersample)
        var canvas = Canvas(width: d.width * supersample, height: d.height * supersample)
        for s in d.shapes {
            switch s {
            case let .rect(x, y, w, h, fill):
                canvas.fillRect(x * k, y * k, w * k, h * k, fill)
            case let .polygon(pts, fill):
                canvas.fillPolygon(pts.map { ($0.0 * k, $0.1 * k) }, fill)
            case let .circle(x, y, r, fill):
                let pts = (0..<20).map { i -> (Double, Double) in
                    let a = Double(i) / 20 * 2 * Double.pi
                    return ((x + r * cos(a)) * k, (y + r * sin(a)) * k)
                }
                canvas.fillPolygon(pts, fill)
            case let .polyline(pts, stroke, width, dashed):
                canvas.strokePolyline(pts.map { ($0.0 * k, $0.1 * k) }, stroke, width: max(1, width * k),
                                      dash: dashed ? (4 * k, 3 * k) : nil)
            case let .text(text, x, y, size, color, anchor, vertical):
                canvas.text(text, x * k, y * k, size: size * k, color, anchor: anchor, vertical: vertical)
            }
        }
        return (d.width, d.height, canvas.downsampled(by: supersample))
    }
}

/// A supersampled RGB canvas in floating point.
struct Canvas {
    let width: Int, height: Int
    var px: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        px = [Float](repeating: 1, count: width * height * 3)
    }

    mutating func blend(_ x: Int, _ y: Int, _ c: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3, a = Float(c.a)
        px[i] += (Float(c.r) / 255 - px[i]) * a
        px[i + 1] += (Float(c.g) / 255 - px[i + 1]) * a
        px[i + 2] += (Float(c.b) / 255 - px[i + 2]) * a
    }

    mutating func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: RGBA) {
        let x0 = max(0, Int(x.rounded())), x1 = min(width, Int((x + w).rounded()))
        let y0 = max(0, Int(y.rounded())), y1 = min(height, Int((y + h).rounded()))
        guard x1 > x0, y1 > y0 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { blend(xx, yy, c) } }
    }

    /// Even-odd fill sampled at pixel centres.
    mutating func fillPolygon(_ pts: [(Double, Double)], _ c: RGBA) {
        guard pts.count >= 3 else { return }
        let ys = pts.map(\.1)
        let yMin = max(0, Int(floor(ys.min()!))), yMax = min(height - 1, Int(ceil(ys.max()!)))
        guard yMin <= yMax else { return }
        var xs: [Double] = []
        for yy in yMin...yMax {
            let sy = Double(yy) + 0.5
            xs.removeAll(keepingCapacity: true)
            var j = pts.count - 1
            for i in 0..<pts.count {
                let (xi, yi) = pts[i], (xj, yj) = pts[j]
                if (yi <= sy) != (yj <= sy) { xs.append(xi + (sy - yi) / (yj - yi) * (xj - xi)) }
                j = i
            }
            xs.sort()
            var p = 0
            while p + 1 < xs.count {
                let a = max(0, Int((xs[p] - 0.5).rounded(.up))), b = min(width - 1, Int((xs[p + 1] - 0.5).rounded(.down)))
                if a <= b { for xx in a...b { blend(xx, yy, c) } }
                p += 2
            }
        }
    }

    mutating func strokePolyline(_ pts: [(Double, Double)], _ c: RGBA, width: Double, dash: (Double, Double)?) {
        guard pts.count > 1 else { return }
        var segments: [((Double, Double), (Double, Double))] = []
        if let (on, off) = dash {
            var phase = 0.0
            for i in 1..<pts.count {
                let (a, b) = (pts[i - 1], pts[i])
                let len = hypot(b.0 - a.0, b.1 - a.1)
                var t = 0.0
                while t < len {
                    let inDash = phase < on
                    let step = min(len - t, inDash ? on - phase : on + off - phase)
                    if inDash {
                        let f0 = t / len, f1 = (t + step) / len
                        segments.append(((a.0 + (b.0 - a.0) * f0, a.1 + (b.1 - a.1) * f0),
                                         (a.0 + (b.0 - a.0) * f1, a.1 + (b.1 - a.1) * f1)))
                    }
                    t += step
                    phase = (phase + step).truncatingRemainder(dividingBy: on + off)
                }
            }
        } else {
            for i in 1..<pts.count { segments.append((pts[i - 1], pts[i])) }
        }
        let h = width / 2
        for (a, b) in segments {
            let dx = b.0 - a.0, dy = b.1 - a.1, len = hypot(dx, dy)
            guard len > 0 else { continue }
            // Extending each quad by half the width along the segment closes the joins.
            let ux = dx / len * h, uy = dy / len * h
            let nx = -uy, ny = ux
            fillPolygon([(a.0 - ux + nx, a.1 - uy + ny), (b.0 + ux + nx, b.1 + uy + ny),
                         (b.0 + ux - nx, b.1 + uy - ny), (a.0 - ux - nx, a.1 - uy - ny)], c)
        }
    }

    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double, _ c: RGBA, anchor: TextAnchor, vertical: Bool) {
        let scale = max(1, Int((size / 8).rounded()))
        let length = Double(s.count * BitmapFont.advance * scale)
        let shift = anchor == .start ? 0 : anchor == .middle ? length / 2 : length
        let top = Double(BitmapFont.rows * scale)
        for (n, ch) in s.enumerated() {
            let g = BitmapFont.glyph(ch)
            for col in 0..<BitmapFont.columns {
                for row in 0..<BitmapFont.rows where g[col] >> UInt8(row) & 1 == 1 {
                    // Along the text (u) and down the glyph (v), in canvas pixels.
                    let u = Double((n * BitmapFont.advance + col) * scale) - shift
                    let v = Double(row * scale) - top
                    for a in 0..<scale {
                        for b in 0..<scale {
                            let (px, py) = vertical
                                ? (x + v + Double(b), y - u - Double(a))
                                : (x + u + Double(a), y + v + Double(b))
                            blend(Int(px), Int(py), c)
                        }
                    }
                }
            }
        }
    }

    /// Box-filters k×k blocks into 8-bit RGB.
    func downsampled(by k: Int) -> [UInt8] {
        let w = width / k, h = height / k
        var out = [UInt8](repeating: 255, count: w * h * 3)
        let norm = Float(k * k)
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<3 {
                    var sum: Float = 0
                    for dy in 0..<k { for dx in 0..<k { sum += px[((y * k + dy) * width + x * k + dx) * 3 + ch] } }
                    out[(y * w + x) * 3 + ch] = UInt8(max(0, min(255, (sum / norm * 255).rounded())))
                }
            }
        }
        return out
    }
}
