import Foundation

/// The DESI spectrographs as the simulator needs them: the three arms' exact
/// wavelength grids, total throughput (atmosphere to CCD), the dark-time sky
/// seen by a 1.5″ fiber, photon and read noise, and pixel masks.
public enum DESIInstrument {
    /// One spectrograph arm. Its grid is `start + i·0.8` Å (vacuum), exactly as
    /// in DESI coadds, and it sits at `offset` on the combined 0.8 Å grid.
    public struct Arm: Sendable, Hashable {
        public let name: String
        public let start: Double
        public let count: Int
        public let offset: Int

        public var wavelengths: [Double] { (0..<count).map { start + Double($0) * DESIInstrument.step } }
    }

    public static let step = 0.8
    public static let arms: [Arm] = [
        Arm(name: "B", start: 3600.0, count: 2751, offset: 0),
        Arm(name: "R", start: 5760.0, count: 2326, offset: 2700),
        Arm(name: "Z", start: 7520.0, count: 2881, offset: 4900),
    ]
    /// Pixels of the combined grid 3600.0…9824.0 Å (the arms overlap on it).
    public static let combinedCount = 7781
    /// Pixels of all arms together (rows of the three image HDUs).
    public static let totalArmPixels = 2751 + 2326 + 2881

    /// Combined grid, 3600 + j·0.8 Å. Arm pixel i of arm a is combined pixel a.offset + i.
    public static let wavelengths: [Double] = (0..<combinedCount).map { 3600.0 + Double($0) * step }

    /// Instrumental line-spread σ in Å: DESI resolution elements are ≈ 1.8 Å FWHM
    /// in all three arms (R ≈ 2000 at 3600 Å to ≈ 5000 at 9800 Å).
    public static let resolutionSigma = 0.77

    /// `MASK` bits (desispec `specmask`).
    public enum MaskBit {
        public static let someBadPix: Int32 = 1 << 0
        public static let allBadPix: Int32 = 1 << 1
        public static let cosmic: Int32 = 1 << 2
        public static let bad2DFit: Int32 = 1 << 7
    }

    // MARK: throughput

    @inline(__always)
    static func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Atmospheric transmission at airmass 1.2 from Kitt Peak (2100 m): Rayleigh
    /// scattering (0.0088 λ_μm^-4.05 mag at sea level × 0.79 pressure) plus
    /// aerosols, and the O2 B/A bands and H2O bands. DESI fluxes are
    /// calibrated and telluric-corrected, so this only costs signal-to-noise.
    static func atmosphere(_ λ: Double) -> Double {
        let μm = λ / 10_000
        let extinction = 0.0088 * 0.79 * pow(μm, -4.05) + 0.04 * pow(μm / 0.55, -1.3)
        var t = pow(10, -0.4 * 1.2 * extinction)
        func band(_ lo: Double, _ hi: Double, _ depth: Double) -> Double {
            let inside = logistic((λ - lo) / 3) * logistic((hi - λ) / 3)
            return 1 - depth * inside
        }
        t *= band(6867, 6884, 0.45)   // O2 B band
        t *= band(7594, 7621, 0.75)   // O2 A band
        t *= band(7160, 7340, 0.20)   // H2O
        t *= band(8130, 8350, 0.20)   // H2O
        t *= band(8950, 9230, 0.35)   // H2O
        t *= band(9300, 9650, 0.45)   // H2O (strongest in DESI's range)
        return t
    }

    /// Total throughput of arm `arm` (0 B, 1 R, 2 Z) at λ: atmosphere × fiber ×
    /// spectrograph × CCD QE. Peak ≈ 0.45–0.5; the B arm falls to ≈ 0.2 at 3600 Å
    /// (optics and atmosphere in the UV), dichroics cut each arm to ~30% at the far
    /// end of each overlap, and the Z arm's CCD QE falls beyond 9000 Å.
    public static func throughput(arm: Int, wavelength λ: Double) -> Double {
        let instrument: Double
        switch arm {
        case 0:
            let blue = 1 - exp(-(λ - 3450) / 300)
            instrument = 0.55 * max(blue, 0.02) * logistic((5790 - λ) / 12)
        case 1:
            instrument = 0.60 * logistic((λ - 5770) / 12) * logistic((7610 - λ) / 12)
        default:
            let qe = λ < 8600 ? 1.0 : max(1 - pow((λ - 8600) / 1700, 2), 0.12)
            instrument = 0.60 * logistic((λ - 7530) / 12) * qe
        }
        return instrument * atmosphere(λ)
    }

    /// Photo-electrons per pixel per 1000 s exposure for a source of
    /// 1e-17 erg/s/cm²/Å at unit throughput: 8.6 m² × 1000 s × 0.8 Å /(hc/λ) =
    /// 173 (λ/5000 Å).
    public static func electronsPerFluxUnit(arm: Int, wavelength λ: Double) -> Double {
        173.0 * (λ / 5000) * throughput(arm: arm, wavelength: λ)
    }

    /// Read-noise variance per pixel per exposure (3 e⁻ rms × ~4 CCD pixels per
    /// extracted wavelength bin), e⁻².
    public static let readNoiseVariance = 36.0
    /// Exposure time of one dark-time pass, seconds.
    public static let exposureSeconds = 1000.0

    /// Electrons per flux unit per pixel per exposure, per arm on the arm grid.
    public static let electronRate: [[Double]] = arms.enumerated().map { a, arm in
        arm.wavelengths.map { electronsPerFluxUnit(arm: a, wavelength: $0) }
    }

    // MARK: sky

    /// Air → vacuum wavelength (Morton 1991 / Ciddor 1996 refractive index).
    public static func airToVacuum(_ air: Double) -> Double {
        let s2 = pow(1e4 / air, 2)
        let n = 1 + 8.342_54e-5 + 2.406_147e-2 / (130 - s2) + 1.5998e-4 / (38.9 - s2)
        return air * n
    }

    /// Night-sky emission lines: air wavelength (Å) and integrated flux in a
    /// fiber (1e-17 erg/s/cm², dark time). Atomic lines: [OI] 5577, Na D,
    /// [OI] 6300/6364, and Hg I from street lights. OH Meinel-band lines
    /// (Osterbrock et al. 1996 wavelengths), stronger toward the near-IR.
    public static let skyLinesAir: [(λ: Double, flux: Double)] = [
        (4358.34, 2), (5460.75, 2),
        (5577.34, 60), (5889.95, 7), (5895.92, 6), (6300.30, 24), (6363.78, 8),
        // OH (9-3), (5-0) … bands in R
        (6257.96, 4), (6287.43, 5), (6306.87, 4), (6498.73, 5), (6533.04, 8), (6553.62, 7),
        (6577.28, 6), (6604.13, 5), (6863.96, 10), (6900.83, 7), (6923.22, 9), (6949.04, 8),
        (6978.41, 6), (7003.86, 5), (7276.41, 12), (7316.28, 18), (7340.89, 15), (7369.37, 12),
        (7401.86, 10), (7438.47, 8),
        // OH (8-3), (9-4), (5-1), (6-2), (7-3) bands in Z
        (7750.64, 22), (7794.11, 25), (7821.50, 28), (7853.36, 20), (7913.71, 30), (7964.65, 32),
        (7993.33, 30), (8025.81, 20), (8062.18, 15), (8344.60, 40), (8399.17, 38), (8430.17, 35),
        (8465.36, 32), (8504.84, 25), (8548.71, 20), (8761.31, 45), (8767.91, 45), (8885.85, 55),
        (8919.64, 50), (8958.08, 45), (9001.35, 40), (9049.54, 30), (9102.77, 25), (9375.96, 60),
        (9439.65, 80), (9476.83, 75), (9519.35, 60), (9567.34, 55), (9620.97, 50), (9701.0, 40),
        (9792.0, 45),
    ]

    /// Sky continuum per fiber (1e-17 erg/s/cm²/Å): airglow + zodiacal light +
    /// scattered light, ≈ 22 mag/arcsec² in V over the 1.86 arcsec² fiber, rising
    /// into the near-IR where unresolved OH adds a pseudo-continuum.
    static func skyContinuum(_ λ: Double) -> Double {
        0.8 + 0.9 * (λ - 3600) / 6200 + 0.6 * logistic((λ - 8800) / 300)
    }

    /// The sky-line part alone on the combined grid (for sky-subtraction residuals).
    public static let skyLines: [Double] = {
        var out = [Double](repeating: 0, count: combinedCount)
        let s = resolutionSigma
        let norm = 1 / (s * (2 * Double.pi).squareRoot())
        for line in skyLinesAir {
            let c = airToVacuum(line.λ)
            let j0 = Int(((c - 6 * s) - 3600) / step), j1 = Int(((c + 6 * s) - 3600) / step) + 1
            for j in max(j0, 0)...min(j1, combinedCount - 1) {
                let x = (wavelengths[j] - c) / s
                out[j] += line.flux * norm * exp(-0.5 * x * x)
            }
        }
        return out
    }()

    /// Total sky on the combined grid.
    public static let sky: [Double] = zip(wavelengths, skyLines).map { skyContinuum($0) + $1 }

    // MARK: observation

    /// Variance (flux units²) of one pixel of a coadd of `exposures` passes, for
    /// source flux `f` and sky `s` (photon noise of both plus read noise).
    @inline(__always)
    static func variance(flux f: Double, sky s: Double, rate e: Double, exposures n: Double) -> Double {
        let en = max(e * n, 1e-6)
        return (max(f, 0) + s) / en + n * readNoiseVariance / (en * en)
    }

    /// Flux scale A that makes the median per-pixel S/N of `A·model` (merged
    /// arms, every 5th pixel of the combined grid) equal `targetSNR`.
    public static func amplitude(forModel model: [Double], targetSNR: Double, exposures: Int) -> Double {
        precondition(model.count == combinedCount)
        let n = Double(exposures)
        // Merged electron rate per combined pixel (sum over the arms covering it).
        var picks: [(m: Double, s: Double, e: Double, arms: Double)] = []
        picks.reserveCapacity(combinedCount / 5 + 1)
        for j in stride(from: 0, to: combinedCount, by: 5) {
            var e = 0.0, count = 0.0
            for (a, arm) in arms.enumerated() where j >= arm.offset && j < arm.offset + arm.count {
                e += electronRate[a][j - arm.offset]; count += 1
            }
            picks.append((model[j], sky[j], e, count))
        }
        func medianSNR(_ amp: Double) -> Double {
            var v = picks.map { p -> Double in
                let en = p.e * n
                let variance = (max(amp * p.m, 0) + p.s) / en + p.arms * n * readNoiseVariance / (en * en)
                return amp * p.m / variance.squareRoot()
            }
            return median(&v)
        }
        // Secant iteration in log A – log S/N: S/N ∝ A where sky noise dominates
        // and ∝ √A where the source does, so the slope stays within 0.5–1 and
        // a handful of steps reach 1e-6 relative accuracy.
        // A quasar whose median pixel is absorbed (z ≳ 6.5: Gunn–Peterson trough over
        // most of the range) cannot reach the target S/N at any brightness; cap the
        // peak at 500e-17 erg/s/cm²/Å (r ≈ 16.5, the brightest DESI quasars) so
        // the search cannot run to absurd, float32-overflowing fluxes.
        let peak = model.max() ?? 0
        let logCap = peak > 0 ? log(500 / peak) : 0
        var logA = min(0.0, logCap)
        var logS = log(max(medianSNR(exp(logA)), 1e-300))
        var slope = 1.0
        let goal = log(targetSNR)
        for _ in 0..<30 {
            let step = max(min((goal - logS) / slope, 10), -10)
            if abs(step) < 1e-7 { break }
            let nextA = max(min(logA + step, logCap), -60)
            if nextA == logA { break }
            let nextS = log(max(medianSNR(exp(nextA)), 1e-300))
            if abs(nextA - logA) > 1e-12 && nextS.isFinite && logS.isFinite {
                slope = min(max((nextS - logS) / (nextA - logA), 0.3), 1.5)
            }
            logA = nextA
            logS = nextS
        }
        return logA.isFinite ? exp(logA) : 1
    }

    /// One simulated coadd: the three arms concatenated (B, R, Z), as they are
    /// written to the `*_FLUX`, `*_IVAR`, `*_MASK` HDUs.
    public struct Observation: Sendable {
        public var flux: [Float]
        public var ivar: [Float]
        public var mask: [Int32]
        /// Median of flux·√ivar over good pixels after merging the arm
        /// overlaps, as `docs/preprocessing.md` defines SNR.
        public var snr: Double
    }

    /// Observes `flux` (noiseless, 1e-17 erg/s/cm²/Å, combined grid) with
    /// `exposures` 1000 s passes: per-arm throughput and sky noise, sky-line
    /// subtraction residuals, Gaussian noise, cosmic rays and, rarely, a bad
    /// CCD column.
    public static func observe(flux model: [Double], exposures: Int,
                               using rng: inout some RandomNumberGenerator) -> Observation {
        precondition(model.count == combinedCount)
        let n = Double(exposures)
        var flux = [Float](repeating: 0, count: totalArmPixels)
        var ivar = [Float](repeating: 0, count: totalArmPixels)
        var mask = [Int32](repeating: 0, count: totalArmPixels)
        var base = 0
        for (a, arm) in arms.enumerated() {
            // Sky subtraction leaves ~1% of each line (flat-field and PSF errors).
            let residual = rng.drawNormal(mean: 0, sd: 0.01)
            let rate = electronRate[a]
            var spare = 0.0
            for i in 0..<arm.count {
                let j = arm.offset + i
                let v = variance(flux: model[j], sky: sky[j], rate: rate[i], exposures: n)
                let sigma = v.squareRoot()
                let g: Double
                if i & 1 == 0 { (g, spare) = rng.drawNormalPair() } else { g = spare }
                flux[base + i] = Float(model[j] + sigma * g + residual * skyLines[j])
                ivar[base + i] = Float(1 / v)
            }
            // Cosmic rays: a hit kills 1–3 pixels of one exposure. With several
            // exposures the coadd keeps the others at reduced ivar; with one the
            // pixels are masked.
            let hits = rng.drawPoisson(0.6 * n)
            for _ in 0..<hits {
                let start = rng.drawIndex(arm.count)
                let length = 1 + rng.drawIndex(3)
                for i in start..<min(start + length, arm.count) {
                    if exposures == 1 {
                        flux[base + i] = 0
                        ivar[base + i] = 0
                        mask[base + i] |= MaskBit.cosmic | MaskBit.allBadPix
                    } else {
                        // desispec ANDs the exposure masks: the coadd pixel stays unmasked.
                        ivar[base + i] *= Float((n - 1) / n)
                    }
                }
            }
            // A bad CCD column crosses this fiber's trace in ~1% of arms: a run
            // of wavelength pixels with no data.
            if rng.drawUnit() < 0.01 {
                let length = 20 + rng.drawIndex(200)
                let start = rng.drawIndex(arm.count)
                for i in start..<min(start + length, arm.count) {
                    flux[base + i] = 0
                    ivar[base + i] = 0
                    mask[base + i] |= MaskBit.allBadPix | MaskBit.bad2DFit
                }
            }
            base += arm.count
        }
        return Observation(flux: flux, ivar: ivar, mask: mask, snr: mergedSNR(flux: flux, ivar: ivar, mask: mask))
    }

    /// SNR as the preprocessing defines it: merge the arms (inverse-variance
    /// weighting where they overlap), median of flux·√ivar over good pixels.
    public static func mergedSNR(flux: [Float], ivar: [Float], mask: [Int32]) -> Double {
        var sumW = [Double](repeating: 0, count: combinedCount)
        var sumWF = [Double](repeating: 0, count: combinedCount)
        var base = 0
        for arm in arms {
            for i in 0..<arm.count {
                let k = base + i
                let w = Double(ivar[k])
                guard mask[k] == 0, w > 0, flux[k].isFinite else { continue }
                sumW[arm.offset + i] += w
                sumWF[arm.offset + i] += w * Double(flux[k])
            }
            base += arm.count
        }
        var values: [Double] = []
        values.reserveCapacity(combinedCount)
        for j in 0..<combinedCount where sumW[j] > 0 {
            values.append(sumWF[j] / sumW[j].squareRoot())
        }
        return values.isEmpty ? 0 : median(&values)
    }

    // MARK: photometry

    /// Synthetic AB fluxes in nanomaggies through g, r, z bands approximating
    /// the DECam/BASS/MzLS filters (smooth-edged top hats; z is cut at 9824 Å).
    public static func photometry(flux: [Double]) -> (g: Double, r: Double, z: Double) {
        func band(_ w: [Double]) -> Double {
            var num = 0.0
            for j in 0..<combinedCount { num += w[j] * flux[j] }
            return num
        }
        return (band(bandWeights[0]), band(bandWeights[1]), band(bandWeights[2]))
    }

    /// Per-pixel weights turning f_λ (1e-17 units) into nanomaggies for g, r, z:
    /// ⟨f_ν⟩ = ∫ f_λ (λ²/c) T dλ/λ / ∫ T dλ/λ, divided by 3631 Jy.
    static let bandWeights: [[Double]] = [(4000.0, 5500.0), (5650, 7100), (8450, 9800)].map { lo, hi in
        let t = wavelengths.map { logistic(($0 - lo) / 30) * logistic((hi - $0) / 30) }
        let den = zip(t, wavelengths).reduce(0) { $0 + $1.0 / $1.1 }
        return zip(t, wavelengths).map { t, λ in
            t / λ * (1e-17 * λ * λ / 2.997_924_58e18) / den / 3.631e-20 * 1e9
        }
    }
}

/// Small numeric helpers for the simulator.
