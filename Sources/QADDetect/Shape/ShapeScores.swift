import Foundation

/// How far each spectrum's broadband shape sits from that of quasars at the
/// same redshift — what the localized residuals cannot see, because the
/// decoder reproduces a smooth distortion (dust reddening, a flux-calibration
/// tilt, a weak-line quasar) from an unusual latent position.
///
/// - colour: each continuum window's log flux minus the running median of
///   that window over the `window` spectra nearest in z that cover it; a
///   straight line through these deviations against log λ gives the slope
///   deviation, which is standardized by running median/MAD along z.
/// - lines: each line's log equivalent width, measured on the data,
///   standardized by running median/MAD along z among the spectra covering it; the mean of a
///   spectrum's standardized lines times √(lines) (all lines weaker or
///   stronger together is what a weak-line quasar or a wrong continuum does).
///
/// Both are stored as |deviation| (σ); the signed values say which way
/// (positive: redder, stronger lines). A spectrum with too little coverage
/// for a measurement gets 0 (no evidence).
public struct ShapeScores: Sendable {
    public var colourDeviation: [Double]
    public var lineDeviation: [Double]

    public var colour: [Double] { colourDeviation.map { $0.isFinite ? abs($0) : 0 } }
    public var lines: [Double] { lineDeviation.map { $0.isFinite ? abs($0) : 0 } }

    public init(_ measurements: [ShapeMeasurement], z: [Double], window: Int) {
        let n = measurements.count
        let windows = ShapeWindows.continuum.count
        let logCentre = ShapeWindows.continuum.map { log(0.5 * ($0.lowerBound + $0.upperBound)) }

        // Continuum: deviation from the z-neighbours' median, window by window.
        var deviation = [[Double]](repeating: [Double](repeating: .nan, count: windows), count: n)
        for k in 0..<windows {
            let values = measurements.map { $0.logContinuum[k] }
            let ordered = Self.orderedByZ(values, z: z)
            for (i, robust) in zip(ordered, NuisanceCells.runningMedianMAD(values, ordered: ordered, window: window)) {
                deviation[i][k] = values[i] - robust.location
            }
        }
        let slope = deviation.map { d -> Double in
            let used = d.indices.filter { d[$0].isFinite }
            guard used.count >= 2 else { return .nan }
            let mx = used.reduce(0.0) { $0 + logCentre[$1] } / Double(used.count)
            let md = used.reduce(0.0) { $0 + d[$1] } / Double(used.count)
            var sxy = 0.0, sxx = 0.0
            for k in used {
                sxy += (logCentre[k] - mx) * (d[k] - md)
                sxx += (logCentre[k] - mx) * (logCentre[k] - mx)
            }
            return sxx > 0 ? sxy / sxx : .nan
        }
        colourDeviation = Self.standardizedAlongZ(slope, z: z, window: window)

        // Lines: standardized log EW, combined over the lines a spectrum covers.
        var sum = [Double](repeating: 0, count: n), count = [Int](repeating: 0, count: n)
        for j in ShapeWindows.lines.indices {
            let standardized = Self.standardizedAlongZ(measurements.map { $0.logEquivalentWidth[j] }, z: z, window: window)
            for i in 0..<n where standardized[i].isFinite {
                sum[i] += standardized[i]
                count[i] += 1
            }
        }
        lineDeviation = (0..<n).map { count[$0] > 0 ? sum[$0] / Double(count[$0]).squareRoot() : .nan }
    }

    /// Indices of the finite values, sorted by z (then index, so ties are stable).
    static func orderedByZ(_ values: [Double], z: [Double]) -> [Int] {
        values.indices.filter { values[$0].isFinite && z[$0].isFinite }.sorted { (z[$0], $0) < (z[$1], $1) }
    }

    /// Running median/MAD standardization along z: `NuisanceCells`' pass with z as its only slice.
    static func standardizedAlongZ(_ values: [Double], z: [Double], window: Int) -> [Double] {
        NuisanceCells.runningStandardize(values, along: z, slicedBy: z, slices: 1, window: window)
    }
}
