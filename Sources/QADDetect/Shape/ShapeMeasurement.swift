import Foundation
import QADCore

/// Rest-frame windows (Å) of the broadband shape measurements. Continuum
/// windows avoid the strong emission lines (Vanden Berk et al. 2001's
/// composite); each line has a window over its profile and one continuum
/// sideband on each side.
public enum ShapeWindows {
    public static let continuum: [ClosedRange<Double>] = [
        1340...1370, 1440...1470, 1690...1720, 2160...2230, 3020...3100, 4150...4250,
        5080...5120, 5500...5650, 6150...6250, 6800...6900, 7500...8000,
    ]

    public struct Line: Sendable {
        public var name: String
        public var profile: ClosedRange<Double>
        public var blue: ClosedRange<Double>
        public var red: ClosedRange<Double>
    }

    public static let lines: [Line] = [
        Line(name: "Lyα+NV", profile: 1195...1260, blue: 1280...1295, red: 1340...1370),
        Line(name: "SiIV", profile: 1370...1420, blue: 1340...1365, red: 1440...1470),
        Line(name: "CIV", profile: 1500...1590, blue: 1440...1470, red: 1690...1720),
        Line(name: "CIII]", profile: 1870...1950, blue: 1690...1720, red: 1975...2010),
        Line(name: "MgII", profile: 2750...2850, blue: 2650...2700, red: 2950...3000),
        Line(name: "Hβ", profile: 4800...4920, blue: 4700...4760, red: 5080...5120),
        Line(name: "Hα", profile: 6480...6660, blue: 6150...6250, red: 6800...6900),
    ]
}

/// One spectrum's broadband shape within the rest range its data cover: the
/// log mean flux in each continuum window, measured on the reconstruction
/// (the model's noise-free estimate), and the log equivalent width of each
/// line, measured on the data. NaN where a window is not covered.
///
/// Lines are measured on the data because the decoder regresses towards
/// normal quasars: it gives a weak-line quasar stronger lines than it has.
/// On both simulators that halved what the line score saw of `weak_lines`
/// (docs/scores.md, "Broadband shape").
public struct ShapeMeasurement: Sendable {
    public var logContinuum: [Double]
    public var logEquivalentWidth: [Double]
}

/// Measures `ShapeMeasurement`s on one rest grid.
public struct ShapeMeasurer: Sendable {
    /// Equivalent widths below this (Å) count as this: the log of a line
    /// that vanished must stay finite, and noise around zero must not look like a trend.
    public static let minimumEquivalentWidth = 1.0

    let continuum: [Range<Int>]
    let lines: [(profile: Range<Int>, blue: Range<Int>, red: Range<Int>)]
    let centers: [Double]
    let widths: [Double]

    public init(grid: RestGrid) {
        let edges = grid.edges
        centers = grid.centers
        widths = (0..<grid.count).map { edges[$0 + 1] - edges[$0] }
        let centers = self.centers
        func bins(_ r: ClosedRange<Double>) -> Range<Int> {
            let lo = centers.firstIndex { $0 >= r.lowerBound } ?? centers.count
            let hi = centers.lastIndex { $0 <= r.upperBound }.map { $0 + 1 } ?? 0
            return lo < hi ? lo..<hi : lo..<lo
        }
        continuum = ShapeWindows.continuum.map(bins)
        lines = ShapeWindows.lines.map { (bins($0.profile), bins($0.blue), bins($0.red)) }
    }

    /// `flux` and `weight` (inverse variance; > 0 where covered) are the data on
    /// the grid, `reconstruction` the model's spectrum there.
    public func measure(flux f: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
                        reconstruction m: UnsafePointer<Float>) -> ShapeMeasurement {
        let n = centers.count
        var first = 0, last = n - 1
        while first < n && !(w[first] > 0) { first += 1 }
        while last >= first && !(w[last] > 0) { last -= 1 }
        func covered(_ r: Range<Int>) -> Bool { !r.isEmpty && r.lowerBound >= first && r.upperBound - 1 <= last }
        func mean(_ r: Range<Int>) -> Double { r.reduce(0.0) { $0 + Double(m[$1]) } / Double(r.count) }
        func centre(_ r: Range<Int>) -> Double { r.reduce(0.0) { $0 + centers[$1] } / Double(r.count) }
        // The data's inverse-variance mean over a sideband; the model's where
        // every bin of it is masked.
        func dataMean(_ r: Range<Int>) -> Double {
            var sum = 0.0, weight = 0.0
            for i in r where w[i] > 0 {
                sum += Double(w[i]) * Double(f[i])
                weight += Double(w[i])
            }
            return weight > 0 ? sum / weight : mean(r)
        }

        let logContinuum = continuum.map { r -> Double in
            guard covered(r) else { return .nan }
            let level = mean(r)
            return level > 0 ? log(level) : .nan
        }
        let logEW = lines.map { line -> Double in
            guard covered(line.blue), covered(line.red), covered(line.profile) else { return .nan }
            // Continuum under the line: straight between the sidebands' means.
            let fb = dataMean(line.blue), fr = dataMean(line.red)
            let lb = centre(line.blue), lr = centre(line.red)
            var excess = 0.0, level = 0.0
            for i in line.profile {
                let c = fb + (fr - fb) * (centers[i] - lb) / (lr - lb)
                // A masked bin of the profile takes the model's flux.
                let value = w[i] > 0 ? Double(f[i]) : Double(m[i])
                excess += (value - c) * widths[i]
                level += c
            }
            level /= Double(line.profile.count)
            guard level > 0 else { return .nan }
            return log(max(excess / level, Self.minimumEquivalentWidth))
        }
        return ShapeMeasurement(logContinuum: logContinuum, logEquivalentWidth: logEW)
    }
}
