import Foundation
import QADCore

/// Builds JSON text by hand: TARGETIDs go out as the exact digits of their
/// Int64 (never through a Double), and long float arrays are written without
/// the per-value cost of JSONEncoder.
struct JSONWriter {
    private(set) var text = ""

    init(capacity: Int = 1024) { text.reserveCapacity(capacity) }

    mutating func raw(_ s: String) { text += s }

    mutating func key(_ k: String) {
        comma()
        text += jsonStringLiteral(k)
        text += ":"
    }

    private mutating func comma() {
        if let last = text.last, last != "{" && last != "[" && last != ":" { text += "," }
    }

    mutating func openObject() { comma(); text += "{" }
    mutating func closeObject() { text += "}" }
    mutating func openArray() { comma(); text += "[" }
    mutating func closeArray() { text += "]" }

    mutating func string(_ s: String) {
        comma()
        text += jsonStringLiteral(s)
    }

    mutating func targetID(_ id: TargetID) { comma(); text += String(id) }
    mutating func int(_ v: Int) { comma(); text += String(v) }
    mutating func bool(_ v: Bool) { comma(); text += v ? "true" : "false" }
    mutating func null() { comma(); text += "null" }

    /// A finite double, or null.
    mutating func number(_ v: Double?) {
        comma()
        guard let v, v.isFinite else { text += "null"; return }
        text += v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// Floats with about 5 significant digits (plenty for a plot), NaN as null.
    mutating func floats(_ values: [Float]) {
        openArray()
        var first = true
        for v in values {
            if !first { text += "," }
            first = false
            text += v.isFinite ? Self.short(v) : "null"
        }
        closeArray()
    }

    mutating func doubles(_ values: [Double], decimals: Int = 3) {
        openArray()
        var first = true
        for v in values {
            if !first { text += "," }
            first = false
            text += v.isFinite ? Self.fixed(v, decimals: decimals) : "null"
        }
        closeArray()
    }

    /// About four significant digits in plain decimal notation, by integer
    /// arithmetic: String(format:) costs microseconds per value on Linux.
    static func short(_ v: Float) -> String {
        if v == 0 { return "0" }
        let mag = abs(Double(v))
        guard mag >= 1e-4, mag < 1e9 else { return String(v) }
        let decimals = max(0, 3 - Int(log10(mag).rounded(.down)))
        let scaled = Int64((mag * scale[decimals]).rounded())
        var digits = String(scaled)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
            while digits.last == "0" { digits.removeLast() }
            if digits.last == "." { digits.removeLast() }
        }
        return v < 0 ? "-" + digits : digits
    }

    /// `v` with `decimals` digits after the point, by integer arithmetic.
    static func fixed(_ v: Double, decimals: Int) -> String {
        guard abs(v) < 1e12 else { return String(v) }
        let scaled = Int64((abs(v) * scale[decimals]).rounded())
        var digits = String(scaled)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return v < 0 && scaled != 0 ? "-" + digits : digits
    }

    private static let scale: [Double] = (0...8).map { pow(10, Double($0)) }
}
