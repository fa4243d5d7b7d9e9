import Foundation

/// The population distribution of each window slot's two statistics, as a
/// clipped mean and standard deviation. The Lyα forest, sky-line residuals and
/// the model's own imperfections make some places noisier than pure noise;
/// standardizing each slot against the population turns a window's value into
/// "how unusual for a spectrum covering this place".
public struct WindowCalibration: Sendable {
    public let layout: WindowLayout
    /// Per slot: location and scale of the coherent and power statistics.
    public var coherentMean: [Double]
    public var coherentSigma: [Double]
    public var powerMean: [Double]
    public var powerSigma: [Double]
    /// Spectra that contributed to each slot in the last pass.
    public var counts: [Int]

    /// Slots seen by fewer spectra than this borrow their width's pooled values.
    public static let minimumCount = 30
    /// Values further than this many σ of the previous pass are left out.
    public static let clipSigma = 4.0

    /// No clipping yet: the first pass accepts every value.
    init(unclipped layout: WindowLayout) {
        self.layout = layout
        coherentMean = [Double](repeating: 0, count: layout.slotCount)
        coherentSigma = [Double](repeating: .infinity, count: layout.slotCount)
        powerMean = coherentMean
        powerSigma = coherentSigma
        counts = [Int](repeating: 0, count: layout.slotCount)
    }

    /// Standardized statistics of a window: (coherent, power) in σ of the population.
    @inline(__always)
    public func standardize(slot: Int, coherent: Double, power: Double) -> (Double, Double) {
        ((coherent - coherentMean[slot]) / coherentSigma[slot], (power - powerMean[slot]) / powerSigma[slot])
    }
}

/// Sums of one calibration pass over a sample of residuals.
struct WindowMoments: WindowVisitor {
    let previous: WindowCalibration
    var n1: [Double], sum1: [Double], sq1: [Double]
    var n2: [Double], sum2: [Double], sq2: [Double]

    init(previous: WindowCalibration) {
        self.previous = previous
        let zeros = [Double](repeating: 0, count: previous.layout.slotCount)
        n1 = zeros; sum1 = zeros; sq1 = zeros
        n2 = zeros; sum2 = zeros; sq2 = zeros
    }

    mutating func visit(slot: Int, coherent: Double, power: Double) {
        let k = WindowCalibration.clipSigma
        if abs(coherent - previous.coherentMean[slot]) <= k * previous.coherentSigma[slot] {
            n1[slot] += 1; sum1[slot] += coherent; sq1[slot] += coherent * coherent
        }
        if abs(power - previous.powerMean[slot]) <= k * previous.powerSigma[slot] {
            n2[slot] += 1; sum2[slot] += power; sq2[slot] += power * power
        }
    }

    mutating func add(_ other: WindowMoments) {
        for i in n1.indices {
            n1[i] += other.n1[i]; sum1[i] += other.sum1[i]; sq1[i] += other.sq1[i]
            n2[i] += other.n2[i]; sum2[i] += other.sum2[i]; sq2[i] += other.sq2[i]
        }
    }

    /// The calibration these sums give; sparse slots take their width's pooled values.
    func calibration() -> WindowCalibration {
        let layout = previous.layout
        var c = WindowCalibration(unclipped: layout)
        func moments(_ n: Double, _ s: Double, _ q: Double) -> (Double, Double) {
            let mean = s / n
            return (mean, max((max(q / n - mean * mean, 0)).squareRoot(), 1e-3))
        }
        for w in layout.widths.indices {
            let lo = layout.bases[w]
            let hi = w + 1 < layout.bases.count ? layout.bases[w + 1] : layout.slotCount
            var p = (n1: 0.0, s1: 0.0, q1: 0.0, n2: 0.0, s2: 0.0, q2: 0.0)
            for i in lo..<hi {
                p.n1 += n1[i]; p.s1 += sum1[i]; p.q1 += sq1[i]
                p.n2 += n2[i]; p.s2 += sum2[i]; p.q2 += sq2[i]
            }
            // A width no sample spectrum reaches keeps pure-noise values.
            let pooled1 = p.n1 > 0 ? moments(p.n1, p.s1, p.q1) : (0, 1)
            let pooled2 = p.n2 > 0 ? moments(p.n2, p.s2, p.q2) : (0, 1)
            for i in lo..<hi {
                let enough = Int(min(n1[i], n2[i])) >= WindowCalibration.minimumCount
                (c.coherentMean[i], c.coherentSigma[i]) = enough ? moments(n1[i], sum1[i], sq1[i]) : pooled1
                (c.powerMean[i], c.powerSigma[i]) = enough ? moments(n2[i], sum2[i], sq2[i]) : pooled2
                c.counts[i] = Int(min(n1[i], n2[i]))
            }
        }
        return c
    }
}

extension WindowCalibration {
    /// Calibrates on `sample` (residuals, each with its frame offset) in
    /// `passes` clipped passes, the first unclipped. Deterministic: the sample
    /// is split into fixed parts summed in order.
    static func fit(layout: WindowLayout, sample: [(SpectrumResidual, offset: Int)], passes: Int = 3,
                    threads: Int) -> WindowCalibration {
        var calibration = WindowCalibration(unclipped: layout)
        let parts = max(1, min(threads, sample.count))
        for _ in 0..<max(1, passes) {
            let previous = calibration
            let partial = ResultSlots<WindowMoments>(parts)
            let ranges = (0..<parts).map { p in (sample.count * p / parts)..<(sample.count * (p + 1) / parts) }
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                var m = WindowMoments(previous: previous)
                for i in ranges[p] { sample[i].0.forEachWindow(layout: layout, offset: sample[i].offset, &m) }
                partial.set(p, m)
            }
            var total = partial.get(0)
            for p in 1..<parts { total.add(partial.get(p)) }
            calibration = total.calibration()
        }
        return calibration
    }
}

/// Results written by parallel workers into their own slots.
final class ResultSlots<T>: @unchecked Sendable {
    // @unchecked: every access holds the lock.
    private var items: [T?]
    private let lock = NSLock()
    init(_ n: Int) { items = [T?](repeating: nil, count: n) }
    func set(_ i: Int, _ v: T) { lock.lock(); items[i] = v; lock.unlock() }
    func get(_ i: Int) -> T { lock.lock(); defer { lock.unlock() }; return items[i]! }
}
