import Foundation
import QADCore

/// How far a spectrum departs from its reconstruction by a smooth function of
/// observed wavelength: a flux-calibration error, a curved tilt, a dimmed or
/// boosted stretch of the spectrograph's range, or a spectrum the model can
/// only approximate as a whole (a star, a galaxy, a wrong redshift).
///
/// The observed range 3600–9800 Å is cut into eight bands equal in log λ. In
/// each, the data's amplitude relative to the reconstruction is the weighted
/// least-squares scale A = Σ w·f·m / Σ w·m², with error 1/√(Σ w·m²). The score
/// is the χ² per degree of freedom of the bands' amplitudes about their
/// weighted mean, each band's variance widened by the model's own band-level
/// error (`bandFloor`). The decoder absorbs a distortion that looks like
/// intrinsic colour; what it cannot reproduce — curvature, a step, a band
/// out of line — is left in these ratios, averaged over hundreds of bins,
/// where the pixel-level residual scores see only noise.
///
/// The Lyα forest (rest < 1250 Å) is left out: its absorption is stochastic
/// and the model gives its mean. A spectrum with fewer than three measured
/// bands gets NaN (not measured; left out of the combined score).
public enum ObservedShape {
    public static let range = 3600.0...9800.0
    public static let bands = 8
    /// Bins a band needs to be measured.
    public static let minimumBins = 20
    /// Rest wavelength (Å) below which bins are left out: the forest.
    public static let forestLimit = 1250.0

    /// One spectrum's band amplitudes and their errors (NaN where a band is not measured).
    public struct Bands: Sendable {
        public var amplitude: [Double]
        public var error: [Double]
    }

    /// Measures one spectrum on its rest grid at redshift `z`.
    public static func measure(flux f: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
                               reconstruction m: UnsafePointer<Float>, grid: RestGrid, z: Double) -> Bands {
        let logLow = log(range.lowerBound), step = (log(range.upperBound) - logLow) / Double(bands)
        var sfm = [Double](repeating: 0, count: bands), smm = sfm
        var count = [Int](repeating: 0, count: bands)
        let centers = grid.centers
        for i in centers.indices where w[i] > 0 && m[i].isFinite && f[i].isFinite && centers[i] >= forestLimit {
            let b = Int(((log(centers[i] * (1 + z)) - logLow) / step).rounded(.down))
            guard b >= 0 && b < bands else { continue }
            let wi = Double(w[i]), mi = Double(m[i])
            sfm[b] += wi * Double(f[i]) * mi
            smm[b] += wi * mi * mi
            count[b] += 1
        }
        var amplitude = [Double](repeating: .nan, count: bands), error = amplitude
        for b in 0..<bands where count[b] >= minimumBins && smm[b] > 0 {
            amplitude[b] = sfm[b] / smm[b]
            error[b] = 1 / smm[b].squareRoot()
        }
        return Bands(amplitude: amplitude, error: error)
    }

    /// The model's band-level error, estimated on the data at hand: among the
    /// brightest fifth of spectra (by `snr`), where noise is small, the robust
    /// scatter of band amplitudes about each spectrum's median band, less the
    /// typical noise variance. 0.0095–0.013 on the benchmark surveys.
    public static func bandFloor(_ measured: [Bands], snr: [Double]) -> Double {
        let order = snr.indices.filter { snr[$0].isFinite }.sorted { snr[$0] > snr[$1] }
        var deviations: [Double] = [], variances: [Double] = []
        for i in order.prefix(max(1, order.count / 5)) {
            let a = measured[i].amplitude.filter(\.isFinite)
            guard a.count >= 3 else { continue }
            let centre = median(a)
            deviations += a.map { abs($0 - centre) }
            variances += measured[i].error.filter(\.isFinite).map { $0 * $0 }
        }
        guard !deviations.isEmpty else { return 0 }
        let mad = 1.4826 * median(deviations)
        return max(0, mad * mad - median(variances)).squareRoot()
    }

    /// χ² per degree of freedom of each spectrum's band amplitudes about their
    /// weighted mean, with `floor` added in quadrature to every band's error.
    public static func scores(_ measured: [Bands], floor: Double) -> [Double] {
        measured.map { bands in
            var sw = 0.0, swa = 0.0, used = 0
            for (a, e) in zip(bands.amplitude, bands.error) where a.isFinite {
                let u = 1 / (e * e + floor * floor)
                sw += u
                swa += u * a
                used += 1
            }
            guard used >= 3 else { return .nan }
            let mean = swa / sw
            var chi2 = 0.0
            for (a, e) in zip(bands.amplitude, bands.error) where a.isFinite {
                chi2 += (a - mean) * (a - mean) / (e * e + floor * floor)
            }
            return chi2 / Double(used - 1)
        }
    }
}
