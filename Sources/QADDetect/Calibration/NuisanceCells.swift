import Foundation

/// Removes the dependence of a score on redshift and S/N (and so, through z,
/// on wavelength coverage). Two passes, each a running robust
/// standardization: first within redshift slices (equal-count quantile bins
/// of z), along S/N; then within S/N slices, along z. In a pass, every
/// spectrum's value becomes (x − median)/(1.4826·MAD) of its `window`
/// nearest neighbours in the running variable within its slice (median and
/// MAD computed at anchors every window/4 spectra and interpolated between
/// them). Hard cells leave the trend inside each cell; a running window
/// follows it. A few anomalies among `window` spectra move neither median nor MAD.
public struct NuisanceCells: Sendable, Equatable {
    /// Spectra in each running window.
    public var window: Int
    /// Slices per pass (fewer when the sample is small).
    public var slices: Int

    public init(spectra: Int, window: Int = 400, maxSlices: Int = 16) {
        self.window = max(20, min(window, spectra))
        slices = max(1, min(maxSlices, spectra / max(1, 5 * self.window)))
    }

    /// Both passes over `values` (non-finite values stay non-finite and are ignored).
    public func standardize(_ values: [Double], z: [Double], snr: [Double]) -> [Double] {
        let first = Self.runningStandardize(values, along: snr, slicedBy: z, slices: slices, window: window)
        return Self.runningStandardize(first, along: z, slicedBy: snr, slices: slices, window: window)
    }

    static func runningStandardize(_ values: [Double], along key: [Double], slicedBy other: [Double], slices: Int,
                                   window: Int) -> [Double] {
        let usable = values.indices.filter { values[$0].isFinite }
        var out = [Double](repeating: .nan, count: values.count)
        guard !usable.isEmpty else { return out }
        // Equal-count slices of the other variable.
        let byOther = usable.sorted { (other[$0].isFinite ? other[$0] : .infinity, $0) < (other[$1].isFinite ? other[$1] : .infinity, $1) }
        for s in 0..<slices {
            let members = byOther[(byOther.count * s / slices)..<(byOther.count * (s + 1) / slices)]
            let ordered = members.sorted { (key[$0].isFinite ? key[$0] : .infinity, $0) < (key[$1].isFinite ? key[$1] : .infinity, $1) }
            for (i, robust) in zip(ordered, runningMedianMAD(values, ordered: ordered, window: window)) {
                out[i] = (values[i] - robust.location) / robust.scale
            }
        }
        return out
    }

    /// Median and 1.4826·MAD of the `window` values around each position of
    /// `ordered` (indices into `values`, sorted by the running variable),
    /// computed at anchors every window/4 positions and interpolated between them.
    /// Values must be finite.
    public static func runningMedianMAD(_ values: [Double], ordered: [Int], window: Int)
        -> [(location: Double, scale: Double)] {
        let n = ordered.count
        guard n > 0 else { return [] }
        let w = max(1, min(window, n))
        let stride = max(1, w / 4)
        var anchors: [(position: Int, location: Double, scale: Double)] = []
        var position = 0
        while true {
            let lo = max(0, min(position - w / 2, n - w))
            let v = ordered[lo..<(lo + w)].map { values[$0] }
            let med = median(v)
            var mad = 1.4826 * median(v.map { abs($0 - med) })
            if !(mad > 0) { mad = v.reduce(0) { $0 + abs($1 - med) } / Double(v.count) }
            anchors.append((position, med, mad > 0 ? mad : 1))
            if position >= n - 1 { break }
            position = min(position + stride, n - 1)
        }
        var out: [(location: Double, scale: Double)] = []
        out.reserveCapacity(n)
        var a = 0
        for p in 0..<n {
            while a + 1 < anchors.count && anchors[a + 1].position <= p { a += 1 }
            var location = anchors[a].location, scale = anchors[a].scale
            if a + 1 < anchors.count {
                let t = Double(p - anchors[a].position) / Double(anchors[a + 1].position - anchors[a].position)
                location += t * (anchors[a + 1].location - location)
                scale += t * (anchors[a + 1].scale - scale)
            }
            out.append((location, scale))
        }
        return out
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// Percentile (0–100) of each value within `values`: 100·(rank − ½)/n with
/// average ranks for ties, so the largest of n distinct values sits just
/// below 100. Non-finite values get NaN.
public func percentiles(_ values: [Double]) -> [Double] {
    let idx = values.indices.filter { values[$0].isFinite }.sorted { values[$0] < values[$1] }
    var out = [Double](repeating: .nan, count: values.count)
    let n = Double(idx.count)
    var i = 0
    while i < idx.count {
        var j = i
        while j + 1 < idx.count && values[idx[j + 1]] == values[idx[i]] { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j { out[idx[k]] = 100 * (rank - 0.5) / n }
        i = j + 1
    }
    return out
}
