import Foundation

/// Percentiles and quantiles that follow a running variable (S/N): at
/// each position of `ordered` (indices sorted by that variable), a value's
/// percentile among the `window` values around it, and quantiles of
/// those values. Both are computed against the windows of `RunningAnchors`
/// and interpolated linearly between the two anchors around the position, as
/// `NuisanceCells.runningMedianMAD` does for the centre, so they change
/// smoothly along the running variable and stay monotone in the value.
public enum RunningQuantile {
    /// Quantile q of ascending finite `sorted`, interpolating linearly between
    /// order statistics at position q·(n − 1) (NumPy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// Percentile (0–100) of `value` in ascending `sorted`: 100·(mid-rank − ½)/n
    /// as `percentiles` gives for a member, clamped to [50/n, 100 − 50/n] for
    /// values outside the window.
    static func percentile(of value: Double, in sorted: [Double]) -> Double {
        let n = Double(sorted.count)
        let below = lowerBound(sorted, value), notAbove = upperBound(sorted, value)
        let rank = Double(below + notAbove) / 2   // mid-rank − ½ for a member of the window
        return 100 * min(max(rank, 0.5), n - 0.5) / n
    }

    /// Per position of `ordered`: the value's running percentile (0–100) and
    /// the running quantiles `quantiles` of its window. Values must be finite.
    public static func percentilesAndQuantiles(_ values: [Double], ordered: [Int], window: Int, quantiles qs: [Double])
        -> (percentile: [Double], quantiles: [[Double]]) {
        let anchors = RunningAnchors(count: ordered.count, window: window)
        guard anchors.count > 0 else { return ([], []) }
        var pct = [Double](repeating: 0, count: anchors.count)
        var qout = [[Double]](repeating: [], count: anchors.count)
        // The sorted windows of the two anchors around the position, each
        // sorted once as the positions reach it.
        var loaded = 0
        var left = sortedWindow(values, ordered, anchors, 0)
        var right = anchors.positions.count > 1 ? sortedWindow(values, ordered, anchors, 1) : left
        var leftQ = qs.map { quantile(left, $0) }, rightQ = qs.map { quantile(right, $0) }
        anchors.forEachPosition { p, a, t in
            while loaded < a {
                loaded += 1
                (left, leftQ) = (right, rightQ)
                right = loaded + 1 < anchors.positions.count ? sortedWindow(values, ordered, anchors, loaded + 1) : left
                rightQ = qs.map { quantile(right, $0) }
            }
            let v = values[ordered[p]]
            let pl = percentile(of: v, in: left)
            pct[p] = pl + t * (percentile(of: v, in: right) - pl)
            qout[p] = zip(leftQ, rightQ).map { $0 + t * ($1 - $0) }
        }
        return (pct, qout)
    }

    private static func sortedWindow(_ values: [Double], _ ordered: [Int], _ anchors: RunningAnchors, _ a: Int) -> [Double] {
        anchors.window(a).map { values[ordered[$0]] }.sorted()
    }

    private static func lowerBound(_ s: [Double], _ v: Double) -> Int {
        var lo = 0, hi = s.count
        while lo < hi { let mid = (lo + hi) / 2; if s[mid] < v { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    private static func upperBound(_ s: [Double], _ v: Double) -> Int {
        var lo = 0, hi = s.count
        while lo < hi { let mid = (lo + hi) / 2; if s[mid] <= v { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
