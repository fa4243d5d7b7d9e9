import Foundation
import QADCore
import QADModel

/// Scores for the marks the instrument leaves at fixed observed wavelengths
/// (`ObservedFeatures`): a flux step across an arm join and residuals at the
/// bright sky lines. The localized observed-frame score looks everywhere and
/// so pays for thousands of windows; these look only where such marks can
/// be, a handful of windows, so a 6σ arm step is not lost among the largest
/// of thousands of noise values.
///
/// Each window is calibrated on the population (`FixedWindowCalibration`).
/// - armJoinStep: the largest |step| over windows centred on the two arm joins.
/// - skyLines: the coherent residual at each bright sky line; a wrong sky
///   scaling leaves the same sign at several lines, so the score is the best
///   Σ of the k largest same-sign values over √k, for k up to `maxSkyLines`.
public struct InstrumentSignatureScorer: Sendable {
    public struct Settings: Sendable, Codable, Equatable {
        /// Widths (rest-grid bins) of the windows centred on each arm join.
        public var armJoinWidths = [81, 243]
        /// Width (bins) of the window at each sky line: one bin holds the
        /// instrument's line (σ ≈ 1 Å) wherever it falls.
        public var skyLineWidth = 1
        /// Most sky lines summed in the sky-line score.
        public var maxSkyLines = 4
        public init() {}
    }

    enum Kind: Int, Sendable { case armJoin, skyLine }

    struct Window: Sendable {
        var kind: Kind
        /// First observed-frame index and width in bins.
        var start: Int
        var width: Int
    }

    public let settings: Settings
    let windows: [Window]
    let calibrations: [FixedWindowCalibration]

    /// The scorer's windows on `grid`'s observed-frame index space.
    static func windows(_ settings: Settings, grid: RestGrid) -> [Window] {
        var windows: [Window] = []
        for join in ObservedFeatures.armJoins {
            let centre = grid.bin(containing: join)
            for w in settings.armJoinWidths { windows.append(Window(kind: .armJoin, start: centre - w / 2, width: w)) }
        }
        for line in ObservedFeatures.brightSkyLines {
            let w = settings.skyLineWidth
            windows.append(Window(kind: .skyLine, start: grid.bin(containing: line) - (w - 1) / 2, width: w))
        }
        return windows
    }

    /// The statistic (step across an arm join, coherent sum at a sky line)
    /// and reach of one window of a residual, nil when too little is covered.
    static func statistic(_ window: Window, _ residual: SpectrumResidual) -> (value: Double, reach: Double)? {
        let first = window.start - residual.shift  // rest bin
        switch window.kind {
        case .armJoin:
            let half = window.width / 2
            let left = residual.totals(first..<(first + half))
            let right = residual.totals((first + half)..<(first + window.width))
            let need = max(1, window.width / 4)
            guard left.covered >= need, right.covered >= need else { return nil }
            let nl = Double(left.covered), nr = Double(right.covered)
            return ((left.r / nl - right.r / nr) / (1 / nl + 1 / nr).squareRoot(),
                    (left.modelSNR + right.modelSNR) / (nl + nr).squareRoot())
        case .skyLine:
            return residual.coherent(first..<(first + window.width))
        }
    }

    /// Calibrates every window on `sample` (residuals without the Lyα forest).
    public init(settings: Settings, grid: RestGrid, sample: [SpectrumResidual], passes: Int, threads: Int) {
        self.settings = settings
        let windows = Self.windows(settings, grid: grid)
        self.windows = windows
        let values = parallelMap(sample.count, threads: threads) { i in windows.map { Self.statistic($0, sample[i]) } }
        calibrations = windows.indices.map { j in
            FixedWindowCalibration.fit(values.compactMap { $0[j] }, passes: passes)
        }
    }

    /// The arm-step and sky-line scores of one residual (0 where no window is covered).
    public func scores(_ residual: SpectrumResidual) -> (armJoinStep: Double, skyLines: Double) {
        var armJoinStep = 0.0
        var sky: [Double] = []
        for (window, calibration) in zip(windows, calibrations) {
            guard let (x, reach) = Self.statistic(window, residual) else { continue }
            let u = calibration.standardize(x, reach: reach)
            switch window.kind {
            case .armJoin: armJoinStep = max(armJoinStep, abs(u))
            case .skyLine: sky.append(u)
            }
        }
        var skyLines = 0.0
        for sign in [1.0, -1.0] {
            let ordered = sky.map { sign * $0 }.sorted(by: >)
            var sum = 0.0
            for (k, u) in ordered.prefix(settings.maxSkyLines).enumerated() {
                sum += u
                skyLines = max(skyLines, sum / Double(k + 1).squareRoot())
            }
        }
        return (armJoinStep, skyLines)
    }
}
