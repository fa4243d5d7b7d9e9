import Foundation

/// Spectral class of a simulated target (redrock's SPECTYPE vocabulary).
public enum MockClass: String, Sendable, CaseIterable {
    case qso = "QSO"
    case galaxy = "GALAXY"
    case star = "STAR"
}

/// Everything that defines one simulated object before it is observed.
public struct MockTarget: Sendable {
    public var mockClass: MockClass
    public var redshift: Double
    /// LRG/ELG for galaxies, spectral class for stars, "" for quasars.
    public var subtype: String
    public var quasar: QuasarParameters?
    public var galaxy: GalaxyParameters?
    public var star: StarParameters?
    public var anomaly: QuasarAnomaly?
    /// Optically thick absorbers (LLS, DLA) in front of a quasar.
    public var absorbers: [LymanForest.Absorber]
    /// Median per-pixel S/N the observation is scaled to.
    public var targetSNR: Double
    /// Number of 1000 s dark-time passes in the coadd.
    public var exposures: Int
}

/// Population model of a DESI dark-time healpix file and the noiseless
/// observed-frame spectra of its targets.
public enum MockTargets {
    /// DESI-like quasar redshifts over 0.05–6.8, median ≈ 1.7: a broad
    /// low-z population peaking near 1.3–1.5 (the QSO target selection's
    /// efficiency plateau), the z ≈ 2.1–3 Lyα quasars targeted for the forest,
    /// and an exponential high-z tail (the quasar luminosity function falls
    /// steeply above z ≈ 3).
    public static func drawQuasarRedshift(using rng: inout some RandomNumberGenerator) -> Double {
        while true {
            let u = rng.drawUnit()
            let z: Double
            if u < 0.63 { z = rng.drawNormal(mean: 1.3, sd: 0.6) }
            else if u < 0.97 { z = rng.drawNormal(mean: 2.4, sd: 0.45) }
            else { z = 3.3 - 0.7 * log(max(rng.drawUnit(), 1e-300)) }
            if z >= 0.05 && z <= 6.8 { return z }
        }
    }

    /// Median S/N over quasars that makes the measured median of the per-
    /// spectrum medians of flux·√ivar ≈ 2.3, DESI's value (noise and the
    /// arm merging shift the measured value slightly from the target).
    public static let quasarSNRMedian = 2.42
    /// Lognormal S/N spread of quasars (dex): the QSO targets span
    /// r ≈ 19–23 mag.
    public static let quasarSNRDex = 0.28

    /// Draws a target of class `cls`. Quasars get an anomaly with probability
    /// `anomalyFraction`.
    public static func draw(_ cls: MockClass, anomalyFraction: Double,
                            using rng: inout some RandomNumberGenerator) -> MockTarget {
        switch cls {
        case .qso:
            let z = drawQuasarRedshift(using: &rng)
            var p = QuasarParameters.draw(using: &rng)
            var anomaly: QuasarAnomaly?
            if rng.drawUnit() < anomalyFraction {
                let a = QuasarAnomaly.draw(redshift: z, using: &rng)
                a.adjust(&p)
                anomaly = a
            }
            let absorbers = LymanForest.drawAbsorbers(quasarRedshift: z, using: &rng)
            // Lyα quasars (z ≥ 2.1) are re-observed up to four times for the forest.
            let exposures = z >= 2.1 ? 1 + rng.drawIndex(4) : 1
            let snr = quasarSNRMedian * rng.drawLogNormalDex(quasarSNRDex)
            return MockTarget(mockClass: .qso, redshift: z, subtype: "", quasar: p, galaxy: nil, star: nil,
                              anomaly: anomaly, absorbers: absorbers, targetSNR: snr, exposures: exposures)
        case .galaxy:
            let u = rng.drawUnit()
            let g: GalaxyParameters
            let z: Double
            let subtype: String
            let snr: Double
            if u < 0.45 {
                // LRGs: 0.4 < z < 1.1, bright continuum.
                g = GalaxyParameters.drawPassive(using: &rng)
                z = min(max(rng.drawNormal(mean: 0.75, sd: 0.17), 0.3), 1.15)
                subtype = "LRG"
                snr = 2.5 * rng.drawLogNormalDex(0.2)
            } else if u < 0.9 {
                // ELGs: faint continuum, strong [OII]; the sample runs to z 1.6
                // but our galaxy grid stops at 1.2.
                g = GalaxyParameters.drawStarForming(using: &rng)
                z = min(max(rng.drawNormal(mean: 0.9, sd: 0.18), 0.5), 1.2)
                subtype = "ELG"
                snr = 0.8 * rng.drawLogNormalDex(0.2)
            } else {
                // Low-z galaxies that scatter into the dark-time selections.
                g = rng.drawUnit() < 0.5 ? GalaxyParameters.drawPassive(using: &rng)
                                         : GalaxyParameters.drawStarForming(using: &rng)
                z = rng.drawUniform(0.05, 0.45)
                subtype = "LOWZ"
                snr = 3 * rng.drawLogNormalDex(0.2)
            }
            return MockTarget(mockClass: .galaxy, redshift: z, subtype: subtype, quasar: nil, galaxy: g, star: nil,
                              anomaly: nil, absorbers: [], targetSNR: snr, exposures: 1)
        case .star:
            let s = StarParameters.draw(using: &rng)
            return MockTarget(mockClass: .star, redshift: s.redshift, subtype: s.spectralClass, quasar: nil,
                              galaxy: nil, star: s, anomaly: nil, absorbers: [],
                              targetSNR: 4 * rng.drawLogNormalDex(0.3), exposures: 1)
        }
    }

    /// The noiseless observed spectrum shape on `DESIInstrument.wavelengths`
    /// (arbitrary scale): rest model at λ/(1+z), the anomaly, and for
    /// quasars a fresh stochastic Lyα-forest sightline.
    public static func observedShape(_ t: MockTarget, using rng: inout some RandomNumberGenerator) -> [Double] {
        observedShapes(t, using: &rng).observed
    }

    /// The shape before (`emitted`) and after (`observed`) intergalactic
    /// absorption; they differ only for quasars. The flux scale is set on the
    /// emitted shape: a z = 6 quasar whose every pixel blueward of 8500 Å is
    /// absorbed is not made brighter to keep its median S/N.
    public static func observedShapes(_ t: MockTarget, using rng: inout some RandomNumberGenerator)
        -> (emitted: [Double], observed: [Double]) {
        let obs = DESIInstrument.wavelengths
        let rest = obs.map { $0 / (1 + t.redshift) }
        let resolution = DESIInstrument.resolutionSigma / (1 + t.redshift)
        switch t.mockClass {
        case .qso:
            let p = t.quasar ?? .mean
            var f = QuasarModel.restSpectrum(wavelengths: rest, parameters: p)
            t.anomaly?.apply(restWavelengths: rest, flux: &f, parameters: p)
            let igm = LymanForest.transmission(observed: obs, quasarRedshift: t.redshift,
                                               absorbers: t.absorbers, using: &rng)
            var absorbed = f
            for j in f.indices { absorbed[j] *= igm[j] }
            return (f, absorbed)
        case .galaxy:
            let f = GalaxyModel.restSpectrum(wavelengths: rest, parameters: t.galaxy!, resolutionSigmaRest: resolution)
            return (f, f)
        case .star:
            let f = StarModel.restSpectrum(wavelengths: rest, parameters: t.star!, resolutionSigmaRest: resolution)
            return (f, f)
        }
    }
}
