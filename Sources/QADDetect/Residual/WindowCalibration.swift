import Foundation
import QADCore
import QADModel

/// The window statistics a calibration describes, in `WindowVisitor` order.
enum WindowStatistic: Int, CaseIterable {
    case coherent, power, step
}

/// The population distribution of each window slot's statistics, as a
/// function of the window's reach (`WindowVisitor`): a centre, a core scale
/// σ(reach) = √(a + b·reach²) fitted to the clipped population by weighted
/// least squares of (x − centre)² on reach² (`ReachScaledFit`), and for each
/// side a tail factor matched to the population's 0.5 % and 99.5 % points in
/// units of that scale. Pure noise gives a ≈ 1, b ≈ 0; the model's smooth errors make b
/// grow with window width, so a bright spectrum's wide window is judged
/// against bright spectra's spread there, not the faint majority's. The Lyα
/// forest, sky-line residuals and the model's own imperfections make some
/// places noisier than pure noise, and line cores (narrow-line strength, the
/// Lyα peak) have heavier tails than a Gaussian; standardizing each slot
/// against the population turns a window's value into "how unusual for a
/// spectrum covering this place", so a bright [OIII] line does not outrank a
/// BAL trough.
public struct WindowCalibration: Sendable {
    public let layout: WindowLayout
    /// [statistic][slot]: centre, and the core variance's constant and reach² terms.
    var mean: [[Double]]
    var base: [[Double]]
    var growth: [[Double]]
    /// [statistic][slot]: tail factors (≥ 1) of the upper and lower sides.
    var upper: [[Double]]
    var lower: [[Double]]
    /// Spectra that contributed to each slot in the last pass.
    public var counts: [Int]

    /// Slots seen by fewer spectra than this borrow their width's pooled values.
    public static let minimumCount = 30
    /// Values further than this many σ of the previous pass are left out.
    public static let clipSigma = 4.0

    /// No clipping yet: the first pass accepts every value.
    init(unclipped layout: WindowLayout) {
        self.layout = layout
        let k = WindowStatistic.allCases.count
        let zeros = [[Double]](repeating: [Double](repeating: 0, count: layout.slotCount), count: k)
        mean = zeros
        base = [[Double]](repeating: [Double](repeating: .infinity, count: layout.slotCount), count: k)
        growth = zeros
        upper = [[Double]](repeating: [Double](repeating: 1, count: layout.slotCount), count: k)
        lower = upper
        counts = [Int](repeating: 0, count: layout.slotCount)
    }

    /// The core scale of statistic `k` at `slot` for a window of this reach.
    @inline(__always)
    func scale(_ k: Int, _ slot: Int, reach: Double) -> Double {
        (base[k][slot] + growth[k][slot] * reach * reach).squareRoot()
    }

    /// A window's statistics in σ of the population at its slot and reach,
    /// each side of the centre scaled by that side's tail factor.
    @inline(__always)
    public func standardize(slot: Int, coherent: Double, power: Double, step: Double, reach: Double)
        -> (coherent: Double, power: Double, step: Double) {
        @inline(__always) func z(_ k: Int, _ x: Double) -> Double {
            let d = x - mean[k][slot]
            return d / (scale(k, slot, reach: reach) * (d >= 0 ? upper[k][slot] : lower[k][slot]))
        }
        return (z(0, coherent), z(1, power), z(2, step))
    }

    /// The Gaussian deviate of the tail points the tail factors match.
    static let tailQuantile = 0.995
    static let tailDeviate = 2.5758

    /// Sets each slot's tail factors from histograms of its core-standardized
    /// values; slots with few spectra use their width's pooled histogram.
    mutating func setTails(_ h: TailHistograms) {
        for w in layout.widths.indices {
            let lo = layout.bases[w]
            let hi = w + 1 < layout.bases.count ? layout.bases[w + 1] : layout.slotCount
            for k in 0..<WindowStatistic.allCases.count {
                var pooled = [Int32](repeating: 0, count: TailHistograms.bins)
                for i in lo..<hi { for b in 0..<TailHistograms.bins { pooled[b] += h.counts[k][i * TailHistograms.bins + b] } }
                for i in lo..<hi {
                    let own = Array(h.counts[k][(i * TailHistograms.bins)..<((i + 1) * TailHistograms.bins)])
                    let n = own.reduce(0) { $0 + Int($1) }
                    let source = n >= 200 ? own : pooled
                    let (qLow, qHigh) = TailHistograms.quantiles(source, Self.tailQuantile)
                    upper[k][i] = max(1, qHigh / Self.tailDeviate)
                    lower[k][i] = max(1, -qLow / Self.tailDeviate)
                }
            }
        }
    }
}

/// Per slot and statistic, a histogram of (x − centre)/σ(reach) over
/// [−`range`, `range`) (values beyond fall in the end bins): where the
/// population's tails lie.
struct TailHistograms: WindowVisitor {
    static let bins = 160
    static let range = 40.0
    let calibration: WindowCalibration
    /// [statistic][slot * bins + bin]
    var counts: [[Int32]]

    init(calibration: WindowCalibration) {
        self.calibration = calibration
        counts = [[Int32]](repeating: [Int32](repeating: 0, count: calibration.layout.slotCount * Self.bins),
                           count: WindowStatistic.allCases.count)
    }

    @inline(__always)
    private mutating func add(_ k: Int, _ slot: Int, _ x: Double, _ reach: Double) {
        let u = (x - calibration.mean[k][slot]) / calibration.scale(k, slot, reach: reach)
        let b = Int(((u + Self.range) / (2 * Self.range) * Double(Self.bins)).rounded(.down))
        counts[k][slot * Self.bins + min(max(b, 0), Self.bins - 1)] += 1
    }

    mutating func visit(slot: Int, coherent: Double, power: Double, step: Double, reach: Double) {
        add(0, slot, coherent, reach)
        add(1, slot, power, reach)
        add(2, slot, step, reach)
    }

    mutating func add(_ other: TailHistograms) {
        for k in counts.indices { for i in counts[k].indices { counts[k][i] += other.counts[k][i] } }
    }

    /// The (1 − q) and q points of a histogram, in σ units (0, 0 when empty).
    static func quantiles(_ h: [Int32], _ q: Double) -> (Double, Double) {
        let n = h.reduce(0) { $0 + Int($1) }
        guard n > 0 else { return (0, 0) }
        let width = 2 * range / Double(bins)
        func point(_ target: Double) -> Double {
            var cumulative = 0.0
            for b in 0..<bins {
                let c = Double(h[b])
                if cumulative + c >= target {
                    let f = c > 0 ? (target - cumulative) / c : 0
                    return -range + (Double(b) + f) * width
                }
                cumulative += c
            }
            return range
        }
        return (point((1 - q) * Double(n)), point(q * Double(n)))
    }
}

/// Sums of one calibration pass over a sample of residuals (`ReachScaledFit`),
/// per statistic and slot.
struct WindowMoments: WindowVisitor {
    let previous: WindowCalibration
    /// [statistic][slot · ReachScaledFit.terms + t]
    var sums: [[Double]]

    init(previous: WindowCalibration) {
        self.previous = previous
        sums = [[Double]](repeating: [Double](repeating: 0, count: previous.layout.slotCount * ReachScaledFit.terms),
                          count: WindowStatistic.allCases.count)
    }

    @inline(__always)
    private mutating func add(_ k: Int, _ slot: Int, _ v: Double, _ reach: Double) {
        let d = v - previous.mean[k][slot]
        let scale = previous.scale(k, slot, reach: reach)
        guard abs(d) <= WindowCalibration.clipSigma * scale else { return }
        let w = ReachScaledFit.weight(variance: scale * scale)
        sums[k].withUnsafeMutableBufferPointer { s in
            ReachScaledFit.add(s.baseAddress! + slot * ReachScaledFit.terms, d: d, q: reach * reach, weight: w)
        }
    }

    mutating func visit(slot: Int, coherent: Double, power: Double, step: Double, reach: Double) {
        add(0, slot, coherent, reach)
        add(1, slot, power, reach)
        add(2, slot, step, reach)
    }

    mutating func add(_ other: WindowMoments) {
        for k in sums.indices { for i in sums[k].indices { sums[k][i] += other.sums[k][i] } }
    }

    /// The sums of statistic `k` at `slot`.
    func slotSums(_ k: Int, _ slot: Int) -> ArraySlice<Double> {
        sums[k][(slot * ReachScaledFit.terms)..<((slot + 1) * ReachScaledFit.terms)]
    }

    /// The calibration these sums give; sparse slots take their width's pooled values.
    func calibration() -> WindowCalibration {
        let layout = previous.layout
        var c = WindowCalibration(unclipped: layout)
        for w in layout.widths.indices {
            let lo = layout.bases[w]
            let hi = w + 1 < layout.bases.count ? layout.bases[w + 1] : layout.slotCount
            for k in sums.indices {
                var pooled = [Double](repeating: 0, count: ReachScaledFit.terms)
                for i in lo..<hi { ReachScaledFit.pool(slotSums(k, i), about: previous.mean[k][i], into: &pooled) }
                // A width no sample spectrum reaches keeps pure-noise values.
                let pooledFit = pooled[0] > 0 ? ReachScaledFit.fit(pooled[...], about: 0) : (0, 1, 0)
                for i in lo..<hi {
                    let s = slotSums(k, i)
                    let enough = Int(s[s.startIndex]) >= WindowCalibration.minimumCount
                    let f = enough ? ReachScaledFit.fit(s, about: previous.mean[k][i]) : pooledFit
                    (c.mean[k][i], c.base[k][i], c.growth[k][i]) = f
                }
            }
            for i in lo..<hi { c.counts[i] = Int(sums.indices.map { sums[$0][i * ReachScaledFit.terms] }.min()!) }
        }
        return c
    }
}

extension WindowCalibration {
    /// Calibrates on `sample` (residuals, each with its frame offset) in
    /// `passes` clipped passes, the first unclipped, then one pass for the tails. Deterministic: the sample
    /// is split into fixed parts summed in order.
    static func fit(layout: WindowLayout, sample: [(SpectrumResidual, offset: Int)], passes: Int = 3,
                    threads: Int) -> WindowCalibration {
        var calibration = WindowCalibration(unclipped: layout)
        for _ in 0..<max(1, passes) {
            let previous = calibration
            calibration = accumulate(sample, layout: layout, threads: threads) { WindowMoments(previous: previous) }
                .calibration()
        }
        let core = calibration
        calibration.setTails(accumulate(sample, layout: layout, threads: threads) { TailHistograms(calibration: core) })
        return calibration
    }

    /// Visits every window of `sample` with visitors made by `make`, one per
    /// fixed part of the sample, in parallel, and sums them in part order (so
    /// the result does not depend on scheduling).
    static func accumulate<V: MergeableWindowVisitor>(_ sample: [(SpectrumResidual, offset: Int)], layout: WindowLayout,
                                                      threads: Int, make: () -> V) -> V {
        let ranges = splitRange(sample.count, parts: max(1, min(threads, sample.count)))
        let partial = parallelMap(ranges.count, threads: ranges.count) { p in
            var v = make()
            for i in ranges[p] { sample[i].0.forEachWindow(layout: layout, offset: sample[i].offset, &v) }
            return v
        }
        var total = partial[0]
        for p in 1..<ranges.count { total.add(partial[p]) }
        return total
    }
}

/// A visitor whose sums over parts of a sample add up to the sums over all of it.
protocol MergeableWindowVisitor: WindowVisitor {
    mutating func add(_ other: Self)
}

extension WindowMoments: MergeableWindowVisitor {}
extension TailHistograms: MergeableWindowVisitor {}
