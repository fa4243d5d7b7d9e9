/// A colour with opacity.
public struct RGBA: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8
    public var a: Double

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: Double = 1) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    public var hex: String {
        "#" + [r, g, b].map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
    }

    public static let black = RGBA(0, 0, 0)
    public static let white = RGBA(255, 255, 255)
    public static let axis = RGBA(60, 60, 60)
    public static let grid = RGBA(225, 228, 234)
    public static let flux = RGBA(40, 40, 40)
    public static let model = RGBA(214, 39, 40)
    public static let noise = RGBA(120, 150, 210, 0.35)
    public static let masked = RGBA(150, 150, 150, 0.25)
    public static let window = RGBA(255, 200, 0, 0.25)
    public static let localWindow = RGBA(230, 90, 0, 0.3)
    public static let line = RGBA(44, 120, 80)
    public static let residual = RGBA(31, 90, 180)
    public static let candidate = RGBA(214, 39, 40)
}

public enum TextAnchor: Sendable { case start, middle, end }

/// What figures are made of, in pixel coordinates (y down). Both the SVG
/// writer and the rasterizer draw exactly these, so SVG and PNG agree.
public enum Shape: Sendable {
    case polyline([(Double, Double)], stroke: RGBA, width: Double, dashed: Bool)
    case polygon([(Double, Double)], fill: RGBA)
    case rect(x: Double, y: Double, width: Double, height: Double, fill: RGBA)
    case circle(x: Double, y: Double, radius: Double, fill: RGBA)
    /// Text with its baseline at y; `vertical` reads bottom to top.
    case text(String, x: Double, y: Double, size: Double, color: RGBA, anchor: TextAnchor, vertical: Bool)
}

/// A finished drawing: size and shapes in painting order.
public struct Drawing: Sendable {
    public var width: Int
    public var height: Int
    public var shapes: [Shape] = []

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public mutating func add(_ s: Shape) { shapes.append(s) }
}
