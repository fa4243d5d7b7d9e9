import Foundation
import QADCore
import QADModel

/// A broad absorption line quasar's outflow absorbs each strong resonance
/// line over the same velocity range blueward of its emission: CIV and SiIV
/// in a HiBAL, also AlIII and MgII in a LoBAL (Weymann et al. 1991; Hall et
/// al. 2002). The localized rest-frame score finds a trough anywhere, among
/// thousands of windows; this score looks only at troughs of 2,000–16,000
/// km/s between 1,000 and 29,000 km/s, and adds up the ions at the same
/// velocities, so a trough seen at 4σ in two ions is not lost.
///
/// For each velocity window and ion, the coherent residual over the rest
/// bins of that velocity range, calibrated on the population
/// (`FixedWindowCalibration`) and signed so absorption is positive; for each
/// hypothesis (HiBAL, LoBAL) the sum over the ions covered, over √(ions).
/// The score is the largest over windows and hypotheses; nil when no window
/// is covered (z too low for MgII to reach the spectrograph).
public struct BALTroughScorer: Sendable {
    public struct Settings: Sendable, Codable, Equatable {
        /// Trough widths (km/s); windows start every quarter width.
        public var widths: [Double] = [2000, 4000, 8000, 16000]
        /// Outflow velocities searched (km/s), the BALnicity index's range.
        public var minimumVelocity = 1000.0
        public var maximumVelocity = 29000.0
        public init() {}
    }

    /// Rest wavelengths (vacuum Å) of the absorbing ions.
    static let ions: [(name: String, wavelength: Double)] = [
        ("CIV", 1549.06), ("SiIV", 1396.76), ("AlIII", 1857.40), ("MgII", 2798.75),
    ]
    /// Ions (indices into `ions`) of each hypothesis: HiBAL, LoBAL.
    static let hypotheses: [[Int]] = [[0, 1], [0, 1, 2, 3]]
    static let speedOfLight = 299_792.458

    /// Rest bins [lo, hi) of each (velocity window, ion).
    let windows: [[Range<Int>]]
    let calibrations: [[FixedWindowCalibration]]

    static func windows(_ settings: Settings, grid: RestGrid) -> [[Range<Int>]] {
        var windows: [[Range<Int>]] = []
        for width in settings.widths {
            var v1 = settings.minimumVelocity
            while v1 + width <= settings.maximumVelocity + 1e-9 {
                let v2 = v1 + width
                windows.append(ions.map { ion in
                    let blue = grid.bin(containing: ion.wavelength * (1 - v2 / speedOfLight))
                    let red = grid.bin(containing: ion.wavelength * (1 - v1 / speedOfLight))
                    return blue..<(red + 1)
                })
                v1 += width / 4
            }
        }
        return windows
    }

    /// Calibrates every (window, ion) on `sample` (residuals without the Lyα forest).
    public init(settings: Settings, grid: RestGrid, sample: [SpectrumResidual], passes: Int, threads: Int) {
        let windows = Self.windows(settings, grid: grid)
        self.windows = windows
        let values = parallelMap(sample.count, threads: threads) { i in
            windows.map { w in w.map { sample[i].coherent($0) } }
        }
        calibrations = windows.indices.map { w in
            Self.ions.indices.map { k in FixedWindowCalibration.fit(values.compactMap { $0[w][k] }, passes: passes) }
        }
    }

    /// The BAL trough score of one residual (σ), nil when no window is covered.
    public func score(_ residual: SpectrumResidual) -> Double? {
        var best: Double? = nil
        // One scratch row for every window: this runs for every spectrum.
        var absorption = [Double?](repeating: nil, count: Self.ions.count)
        for (w, bins) in windows.enumerated() {
            for k in bins.indices {
                absorption[k] = residual.coherent(bins[k]).map { -calibrations[w][k].standardize($0.value, reach: $0.reach) }
            }
            for ions in Self.hypotheses {
                var sum = 0.0, seen = 0
                for k in ions { if let u = absorption[k] { sum += u; seen += 1 } }
                guard seen > 0 else { continue }
                let s = sum / Double(seen).squareRoot()
                best = max(best ?? s, s)
            }
        }
        return best
    }
}
