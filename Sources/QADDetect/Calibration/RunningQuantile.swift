import Foundation

/// Percentiles and a tail quantile that follow a running variable (S/N): at
/// each position of `ordered` (indices sorted by that variable), a value's
/// percentile among the `window` values around it, and the tail quantile of
/// those values. Both are computed against windows at anchors every window/4
/// positions and interpolated linearly between the two anchors around the
/// position, as `NuisanceCells.runningMedianMAD` does for the centre, so they
/// change smoothly along the running variable and stay monotone in the value.
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
    /// the running tail quantile q. Values must be finite.
    public static func percentilesAndTail(_ values: [Double], ordered: [Int], window: Int, quantile q: Double)
        -> (percentile: [Double], tail: [Double]) {
        let n = ordered.count
        guard n > 0 else { return ([], []) }
        let w = max(1, min(window, n))
        let stride = max(1, w / 4)
        var anchorPositions: [Int] = []
        var position = 0
        while true {
            anchorPositions.append(position)
            if position >= n - 1 { break }
            position = min(position + stride, n - 1)
        }
        func sortedWindow(_ anchor: Int) -> [Double] {
            let lo = max(0, min(anchorPositions[anchor] - w / 2, n - w))
            return ordered[lo..<(lo + w)].map { values[$0] }.sorted()
        }
        var pct = [Double](repeating: 0, count: n), tail = [Double](repeating: 0, count: n)
        var a = 0
        var left = sortedWindow(0)
        var right = anchorPositions.count > 1 ? sortedWindow(1) : left
        var leftTail = quantile(left, q), rightTail = quantile(right, q)
        for p in 0..<n {
            while a + 1 < anchorPositions.count && anchorPositions[a + 1] <= p {
                a += 1
                left = right
                leftTail = rightTail
                right = a + 1 < anchorPositions.count ? sortedWindow(a + 1) : left
                rightTail = quantile(right, q)
            }
            let v = values[ordered[p]]
            var t = 0.0
            if a + 1 < anchorPositions.count {
                t = Double(p - anchorPositions[a]) / Double(anchorPositions[a + 1] - anchorPositions[a])
            }
            let pl = percentile(of: v, in: left)
            pct[p] = pl + t * (percentile(of: v, in: right) - pl)
            tail[p] = leftTail + t * (rightTail - leftTail)
        }
        return (pct, tail)
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
