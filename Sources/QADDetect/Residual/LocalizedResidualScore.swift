import Foundation
import QADCore

/// The most significant window of one spectrum in one frame.
public struct LocalizedPeak: Sendable, Equatable {
    /// max over windows of max(|coherent|, power, |step|), each standardized
    /// against the population at that place (σ).
    public var significance: Double
    /// Window start (frame index) and width (bins); width 0 when no window fits.
    public var start: Int
    public var width: Int

    public static let none = LocalizedPeak(significance: 0, start: 0, width: 0)
}

/// Finds the most significant calibrated window of a residual.
struct PeakFinder: WindowVisitor {
    let calibration: WindowCalibration
    var best = LocalizedPeak.none
    var bestSlot = -1

    init(calibration: WindowCalibration) { self.calibration = calibration }

    mutating func visit(slot: Int, coherent: Double, power: Double, step: Double, reach: Double) {
        let z = calibration.standardize(slot: slot, coherent: coherent, power: power, step: step, reach: reach)
        let s = max(abs(z.coherent), z.power, abs(z.step))
        if s > best.significance || bestSlot < 0 {
            best.significance = s
            bestSlot = slot
        }
    }

    var peak: LocalizedPeak {
        guard bestSlot >= 0 else { return .none }
        let (w, start) = calibration.layout.window(ofSlot: bestSlot)
        return LocalizedPeak(significance: best.significance, start: start, width: calibration.layout.widths[w])
    }
}

/// The localized-residual score in the rest and the observed frame: a narrow
/// feature (an absorber, a BAL trough, a sky-line residual, a dead CCD segment,
/// an extra or split line) that hardly moves the global χ²/dof still gives one
/// window far outside the population's spread there.
public struct LocalizedResidualScorer: Sendable {
    public struct Settings: Sendable, Codable, Equatable {
        /// Window widths in rest-grid bins (one bin = 4e-4 dex ≈ 276 km/s) in
        /// the observed frame. 243 bins (~0.1 dex) catches what the decoder
        /// cannot bend away: a broad tilt or a missing stretch of continuum.
        public var widths = [1, 3, 9, 27, 81, 243]
        /// Rest-frame widths: no single bins, whose largest values in normal
        /// quasars sit on narrow-line cores and the Lyα peak (a narrow
        /// feature fixed in the observed frame — a sky line — is caught there).
        public var restWidths = [3, 9, 27, 81, 243]
        /// Rest wavelength (Å) below which bins are left out: the Lyα forest is
        /// stochastic absorption every quasar has, its coherent dips are not anomalies.
        public var forestLimit = 1216.0
        /// Spectra drawn (seeded) to calibrate the windows.
        public var calibrationSpectra = 8000
        public var passes = 2
        public init() {}
    }

    public let settings: Settings
    public let grid: RestGrid
    public let rest: WindowCalibration
    public let observed: WindowCalibration

    /// The observed-frame index space: rest bins shifted by up to log10(1+6.8).
    static func observedFrameSize(_ grid: RestGrid) -> Int {
        grid.count + Int((log10(7.8) / grid.log10Step).rounded(.up)) + 1
    }

    /// First rest bin redward of the forest limit.
    public static func firstUsableBin(_ grid: RestGrid, forestLimit: Double) -> Int {
        max(0, Int(((log10(forestLimit) - grid.log10Start) / grid.log10Step).rounded(.up)))
    }

    /// Calibrates both frames on `sample`.
    public init(settings: Settings, grid: RestGrid, sample: [SpectrumResidual], threads: Int) {
        self.settings = settings
        self.grid = grid
        let restLayout = WindowLayout(widths: settings.restWidths, frameSize: grid.count)
        let obsLayout = WindowLayout(widths: settings.widths, frameSize: Self.observedFrameSize(grid))
        rest = WindowCalibration.fit(layout: restLayout, sample: sample.map { ($0, 0) }, passes: settings.passes,
                                     threads: threads)
        observed = WindowCalibration.fit(layout: obsLayout, sample: sample.map { ($0, $0.shift) },
                                         passes: settings.passes, threads: threads)
    }

    /// The rest- and observed-frame peaks of one residual.
    public func peaks(_ residual: SpectrumResidual) -> (rest: LocalizedPeak, observed: LocalizedPeak) {
        var r = PeakFinder(calibration: rest)
        residual.forEachWindow(layout: rest.layout, offset: 0, &r)
        var o = PeakFinder(calibration: observed)
        residual.forEachWindow(layout: observed.layout, offset: residual.shift, &o)
        return (r.peak, o.peak)
    }

    /// Centre and full width in Å of a peak's window (rest or observed frame:
    /// both index spaces share the grid's log-λ origin and step).
    public func wavelengthSpan(_ peak: LocalizedPeak) -> (centre: Double, width: Double) {
        guard peak.width > 0 else { return (.nan, 0) }
        let lo = pow(10, grid.log10Start + Double(peak.start) * grid.log10Step)
        let hi = pow(10, grid.log10Start + Double(peak.start + peak.width) * grid.log10Step)
        return ((lo * hi).squareRoot(), hi - lo)
    }
}
