import Foundation
import QADCore

/// Builds JSON text by hand into UTF-8 bytes: TARGETIDs go out as the exact
/// digits of their Int64 (never through a Double), and long float arrays are
/// written digit by digit, without a String per value. A candidate page holds
/// about 20,000 numbers; formatting them through Strings was a sixth of the
/// server's CPU under bench_review's load.
struct JSONWriter {
    private var bytes: [UInt8] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: String) { bytes += s.utf8 }

    mutating func key(_ k: String) {
        comma()
        bytes += jsonStringLiteral(k).utf8
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func comma() {
        if let last = bytes.last, last != UInt8(ascii: "{") && last != UInt8(ascii: "[") && last != UInt8(ascii: ":") {
            bytes.append(UInt8(ascii: ","))
        }
    }

    mutating func openObject() { comma(); bytes.append(UInt8(ascii: "{")) }
    mutating func closeObject() { bytes.append(UInt8(ascii: "}")) }
    mutating func openArray() { comma(); bytes.append(UInt8(ascii: "[")) }
    mutating func closeArray() { bytes.append(UInt8(ascii: "]")) }

    mutating func string(_ s: String) {
        comma()
        bytes += jsonStringLiteral(s).utf8
    }

    mutating func targetID(_ id: TargetID) { comma(); signed(id) }
    mutating func int(_ v: Int) { comma(); signed(Int64(v)) }
    mutating func bool(_ v: Bool) { comma(); raw(v ? "true" : "false") }
    mutating func null() { comma(); raw("null") }

    /// A finite double, or null.
    mutating func number(_ v: Double?) {
        comma()
        guard let v, v.isFinite else { raw("null"); return }
        if v == v.rounded() && abs(v) < 1e15 { signed(Int64(v)) } else { raw(String(v)) }
    }

    /// Floats with about four significant digits (plenty for a plot), NaN as null.
    mutating func floats(_ values: [Float]) {
        openArray()
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            short(v)
        }
        closeArray()
    }

    mutating func doubles(_ values: [Double], decimals: Int = 3) {
        openArray()
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            fixed(v, decimals: decimals)
        }
        closeArray()
    }

    /// About four significant digits in plain decimal notation, trailing
    /// zeros dropped; outside 1e-4 ... 1e9 Swift's own shortest form.
    private mutating func short(_ v: Float) {
        guard v.isFinite else { raw("null"); return }
        if v == 0 { bytes.append(UInt8(ascii: "0")); return }
        let mag = abs(Double(v))
        guard mag >= 1e-4, mag < 1e9 else { raw(String(v)); return }
        let decimals = max(0, 3 - Int(log10(mag).rounded(.down)))
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        decimal(UInt64((mag * Self.scale[decimals]).rounded()), decimals: decimals, trimZeros: true)
    }

    /// `v` with `decimals` digits after the point, or null.
    private mutating func fixed(_ v: Double, decimals: Int) {
        guard v.isFinite else { raw("null"); return }
        guard abs(v) < 1e12 else { raw(String(v)); return }
        let scaled = UInt64((abs(v) * Self.scale[decimals]).rounded())
        if v < 0 && scaled != 0 { bytes.append(UInt8(ascii: "-")) }
        decimal(scaled, decimals: decimals, trimZeros: false)
    }

    /// `scaled / 10^decimals` written as a decimal number.
    private mutating func decimal(_ scaled: UInt64, decimals: Int, trimZeros: Bool) {
        let unit = Self.powers[decimals]
        digits(scaled / unit, count: 1)
        var fraction = scaled % unit, places = decimals
        if trimZeros {
            if fraction == 0 { return }
            while fraction % 10 == 0 { fraction /= 10; places -= 1 }
        }
        guard places > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        digits(fraction, count: places)
    }

    private mutating func signed(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(v.magnitude, count: 1)
    }

    /// The decimal digits of `n`, zero-padded on the left to at least `count`.
    private mutating func digits(_ n: UInt64, count: Int) {
        let start = bytes.count
        var n = n
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(n % 10))
            n /= 10
        } while n > 0 || bytes.count - start < count
        bytes[start...].reverse()
    }

    private static let scale: [Double] = (0...8).map { pow(10, Double($0)) }
    private static let powers: [UInt64] = (0...8).map { (0..<$0).reduce(1) { p, _ in p * 10 } }
}
