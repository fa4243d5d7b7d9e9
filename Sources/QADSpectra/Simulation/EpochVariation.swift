import Foundation
import QADCore

/// What a quasar looks like at another epoch (`qad simulate --epochs`).
///
/// Ordinary variability is a damped random walk: between epochs Δt apart
/// (rest frame), the continuum's log flux changes by a normal draw of
/// standard deviation SF∞·√(1 − e^(−Δt/τ)), with SF∞ = 0.2 mag and τ = 200
/// rest-frame days (typical of SDSS Stripe 82 quasars, MacLeod et al. 2010).
/// The change is larger in the blue (∝ (λ/3000 Å)^(−1/2): bluer when
/// brighter) and the broad lines follow with half the continuum's change in
/// log flux (responsivity 0.5). Each epoch's flux calibration also differs by
/// a grey factor and a tilt, as two nights' spectrophotometry does.
public enum EpochVariation {
    /// The structure-function asymptote, in ln flux (0.2 mag).
    public static let sfInfinity = 0.2 * log(10) / 2.5
    /// Damping time scale, rest-frame days.
    public static let tauDays = 200.0
    /// d ln(line flux) / d ln(continuum flux).
    public static let responsivity = 0.5

    /// Standard deviation of the continuum's ln-flux change after `days` (rest frame).
    public static func sigma(restFrameDays days: Double) -> Double {
        sfInfinity * (1 - exp(-max(0, days) / tauDays)).squareRoot()
    }

    /// One epoch's departure from the quasar's model spectrum.
    public struct State: Sendable {
        /// ln of the continuum's change at 3000 Å (rest).
        public var lnContinuum = 0.0
        /// Flux calibration: grey factor and tilt per 1000 Å about 6500 Å (observed).
        public var grey = 1.0
        public var tiltPer1000 = 0.0
        /// A changing-look faint state: these line groups' broad flux × factor.
        public var fadedGroups: [Int] = []
        public var fadedFactor = 1.0
        /// A broad absorption trough present at this epoch.
        public var trough: QuasarAnomaly?
        /// The spectrum is a star's (a class change): the quasar is not seen.
        public var star: StarParameters?

        public init() {}
    }

    /// Observed-frame noiseless flux (same units as `amplitude` × shapes) of
    /// quasar `t` in `state`. `emitted` and `observed` are the epoch-free
    /// shapes (`MockTargets.observedShapes`): the intergalactic absorption
    /// they imply is kept, since the sightline does not change.
    public static func flux(_ t: MockTarget, emitted: [Double], observed: [Double], amplitude: Double,
                            state: State) -> [Double] {
        let obs = DESIInstrument.wavelengths
        let rest = obs.map { $0 / (1 + t.redshift) }
        var f: [Double]
        if let star = state.star {
            // At the quasar's median flux, as `qad inject`'s STAR.
            let resolution = DESIInstrument.resolutionSigma
            let s = StarModel.restSpectrum(wavelengths: obs, parameters: star, resolutionSigmaRest: resolution)
            var a = observed.map { $0 * amplitude }, b = s
            let scale = median(&a) / max(median(&b), 1e-30)
            f = s.map { $0 * scale }
        } else {
            let p = t.quasar ?? .mean
            var noLines = p
            noLines.lineScales = noLines.lineScales.map { _ in 0 }
            let full = QuasarModel.restSpectrum(wavelengths: rest, parameters: p)
            let continuum = QuasarModel.restSpectrum(wavelengths: rest, parameters: noLines)
            var faded = [Double](repeating: 0, count: rest.count)
            if !state.fadedGroups.isEmpty {
                var without = p
                for g in state.fadedGroups { without.lineScales[g] = 0 }
                let rest2 = QuasarModel.restSpectrum(wavelengths: rest, parameters: without)
                for i in rest.indices { faded[i] = (full[i] - rest2[i]) * (1 - state.fadedFactor) }
            }
            let lineFactor = exp(responsivity * state.lnContinuum)
            f = rest.indices.map { i in
                let c = exp(state.lnContinuum * pow(rest[i] / 3000, -0.5))
                return continuum[i] * c + (full[i] - continuum[i] - faded[i]) * lineFactor
            }
            t.anomaly?.apply(restWavelengths: rest, flux: &f, parameters: p)
            state.trough?.apply(restWavelengths: rest, flux: &f, parameters: p)
            for i in f.indices {
                // The same sightline: the forest absorbs the same fraction.
                f[i] *= emitted[i] > 0 ? observed[i] / emitted[i] : 1
                f[i] *= amplitude
            }
        }
        for i in f.indices {
            f[i] *= state.grey * max(0.05, 1 + state.tiltPer1000 * (obs[i] - 6500) / 1000)
        }
        return f
    }
}
