import Foundation
import QADCore

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
        let byOther = ordered(usable, by: other)
        for s in 0..<slices {
            let members = ordered(byOther[(byOther.count * s / slices)..<(byOther.count * (s + 1) / slices)], by: key)
            for (i, robust) in zip(members, runningMedianMAD(values, ordered: members, window: window)) {
                out[i] = (values[i] - robust.location) / robust.scale
            }
        }
        return out
    }

    /// `indices` sorted by `key`, non-finite keys last, ties by index.
    static func ordered(_ indices: some Sequence<Int>, by key: [Double]) -> [Int] {
        indices.sorted { (key[$0].isFinite ? key[$0] : .infinity, $0) < (key[$1].isFinite ? key[$1] : .infinity, $1) }
    }

    /// Median and 1.4826·MAD of the `window` values around each position of
    /// `ordered` (indices into `values`, sorted by the running variable),
    /// computed at anchors every window/4 positions and interpolated between
    /// them (`RunningAnchors`). Values must be finite.
    public static func runningMedianMAD(_ values: [Double], ordered: [Int], window: Int)
        -> [(location: Double, scale: Double)] {
        let anchors = RunningAnchors(count: ordered.count, window: window)
        var locations: [Double] = [], scales: [Double] = []
        for a in anchors.positions.indices {
            let v = anchors.window(a).map { values[ordered[$0]] }
            let med = median(v)
            var mad = 1.4826 * median(v.map { abs($0 - med) })
            if !(mad > 0) { mad = v.reduce(0) { $0 + abs($1 - med) } / Double(v.count) }
            locations.append(med)
            scales.append(mad > 0 ? mad : 1)
        }
        var out: [(location: Double, scale: Double)] = []
        out.reserveCapacity(ordered.count)
        anchors.forEachPosition { _, a, t in
            out.append((anchors.interpolate(locations, a, t), anchors.interpolate(scales, a, t)))
        }
        return out
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
