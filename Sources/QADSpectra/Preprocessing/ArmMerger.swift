import QADCore

/// A spectrum on one strictly increasing observed wavelength axis; ivar 0 marks
/// pixels that carry no information.
public struct MergedSpectrum: Sendable {
    public var wavelength: [Double]
    public var flux: [Double]
    public var ivar: [Double]
}

/// Pixel counts over all input arms, for the quality columns.
public struct PixelCounts: Sendable, Equatable {
    public var total = 0
    public var masked = 0
    /// ivar ≤ 0 or not finite.
    public var zeroIvar = 0
    /// Negative ivar or non-finite flux/ivar: corrupt values zeroed on input.
    public var badValues = 0
}

/// Merges B/R/Z arms (docs/preprocessing.md §2): sort by wavelength, combine
/// the pixels two arms share by inverse variance, and measure the flux step
/// where the arms overlap.
public enum ArmMerger {
    /// Pixels closer than this are the same wavelength seen by two arms.
    public static let sameWavelengthTolerance = 0.01

    public struct Result: Sendable {
        public var spectrum: MergedSpectrum
        public var counts: PixelCounts
        /// Largest |step| (signed, in σ) between arms where they overlap; 0 without overlap.
        public var armStep: Double
    }

    public static func merge(_ arms: [ArmSpectrum]) -> Result {
        var counts = PixelCounts()
        // Flatten with per-pixel arm index; bad pixels get ivar 0.
        let n = arms.reduce(0) { $0 + $1.wavelength.count }
        var wave = [Double](); wave.reserveCapacity(n)
        var flux = [Double](); flux.reserveCapacity(n)
        var ivar = [Double](); ivar.reserveCapacity(n)
        var arm = [Int32](); arm.reserveCapacity(n)
        var runs: [Range<Int>] = []
        for (a, s) in arms.enumerated() {
            let start = wave.count
            for i in 0..<s.wavelength.count {
                let f = Double(s.flux[i]), iv = Double(s.ivar[i])
                counts.total += 1
                let masked = s.mask[i] != 0
                if masked { counts.masked += 1 }
                let finite = f.isFinite && iv.isFinite
                if !finite || iv < 0 { counts.badValues += 1 }
                if !(iv > 0) || !iv.isFinite { counts.zeroIvar += 1 }
                let good = !masked && finite && iv > 0
                wave.append(s.wavelength[i])
                flux.append(good ? f : 0)
                ivar.append(good ? iv : 0)
                arm.append(Int32(a))
            }
            runs.append(start..<wave.count)
        }
        let order = mergedOrder(wave, runs: runs)

        var out = MergedSpectrum(wavelength: [], flux: [], ivar: [])
        out.wavelength.reserveCapacity(n)
        out.flux.reserveCapacity(n)
        out.ivar.reserveCapacity(n)
        // Per join (between arm j and j+1): Σivar and Σivar·flux of each side.
        var joinSums = [[Double]](repeating: [0, 0, 0, 0], count: max(arms.count - 1, 0))

        var k = 0
        while k < order.count {
            let first = order[k]
            var sumIvar = ivar[first], sumIvarFlux = ivar[first] * flux[first]
            var end = k + 1
            while end < order.count, wave[order[end]] - wave[order[end - 1]] < sameWavelengthTolerance {
                let p = order[end]
                sumIvar += ivar[p]
                sumIvarFlux += ivar[p] * flux[p]
                end += 1
            }
            if end - k >= 2 {
                // The same wavelength in two (rarely more) arms: feed the overlap
                // sums of every pair of adjacent arms that both have good data.
                for m in k..<end {
                    for q in (m + 1)..<end {
                        let p1 = order[m], p2 = order[q]
                        let a1 = Int(min(arm[p1], arm[p2])), a2 = Int(max(arm[p1], arm[p2]))
                        guard a2 == a1 + 1, ivar[p1] > 0, ivar[p2] > 0 else { continue }
                        let (lo, hi) = arm[p1] < arm[p2] ? (p1, p2) : (p2, p1)
                        joinSums[a1][0] += ivar[lo]
                        joinSums[a1][1] += ivar[lo] * flux[lo]
                        joinSums[a1][2] += ivar[hi]
                        joinSums[a1][3] += ivar[hi] * flux[hi]
                    }
                }
            }
            out.wavelength.append(wave[first])
            if sumIvar > 0 {
                out.flux.append(sumIvarFlux / sumIvar)
                out.ivar.append(sumIvar)
            } else {
                out.flux.append(0)
                out.ivar.append(0)
            }
            k = end
        }

        var step = 0.0
        for s in joinSums where s[0] > 0 && s[2] > 0 {
            let m1 = s[1] / s[0], m2 = s[3] / s[2]
            let value = (m2 - m1) / (1 / s[0] + 1 / s[2]).squareRoot()
            if abs(value) > abs(step) { step = value }
        }
        return Result(spectrum: out, counts: counts, armStep: step)
    }

    /// Indices in ascending wavelength order, stable (earlier arm first on ties).
    /// Each arm is normally sorted already, so this merges sorted runs in linear
    /// time and only falls back to a full sort for unsorted input.
    static func mergedOrder(_ wave: [Double], runs: [Range<Int>]) -> [Int] {
        var sortedRuns: [[Int]] = []
        for r in runs {
            var ascending = true
            var i = r.lowerBound + 1
            while i < r.upperBound {
                if !(wave[i] >= wave[i - 1]) { ascending = false; break }
                i += 1
            }
            if ascending {
                sortedRuns.append(Array(r))
            } else {
                sortedRuns.append(r.sorted { (wave[$0], $0) < (wave[$1], $1) })
            }
        }
        guard var merged = sortedRuns.first else { return [] }
        for run in sortedRuns.dropFirst() {
            var out = [Int]()
            out.reserveCapacity(merged.count + run.count)
            var i = 0, j = 0
            while i < merged.count, j < run.count {
                // Ties keep the earlier arm (already in `merged`) first.
                if wave[run[j]] < wave[merged[i]] { out.append(run[j]); j += 1 } else { out.append(merged[i]); i += 1 }
            }
            out.append(contentsOf: merged[i...])
            out.append(contentsOf: run[j...])
            merged = out
        }
        return merged
    }
}
