import Foundation
@testable import QADSpectra
import QADCore
import Testing

/// Physics sanity of the simulator's models.
@Suite struct SimulationTests {
    /// The lognormal forest's amplitude gives exactly the mean transmission it
    /// was solved for, from a thin to an opaque forest.
    @Test func forestAmplitudeGivesTheEffectiveOpticalDepth() {
        for tau in [1e-4, 0.01, 0.2, 1, 3, 8] {
            let a = LymanForest.solveAmplitude(tauEff: tau)
            #expect(abs(LymanForest.lognormalMeanTransmission(amplitude: a) / exp(-tau) - 1) < 1e-10)
        }
    }

    /// The standard rest grid (docs/preprocessing.md §3), 460–9404 Å.
    static let restGrid: [Double] = (0..<3276).map { pow(10, log10(460.0) + (Double($0) + 0.5) * 4e-4) }

    // MARK: quasar model

    @Test func meanRestSpectrumIsFinitePositiveAndNormalized() {
        let t = QuasarModel.meanRestSpectrum(wavelengths: Self.restGrid)
        #expect(t.count == Self.restGrid.count)
        #expect(t.allSatisfy { $0.isFinite && $0 > 0 })
        // Mean over 1300–3000 Å is 1 (on a uniform-in-λ grid).
        let fine = stride(from: 1300.0, through: 3000.0, by: 0.5).map { $0 }
        let m = QuasarModel.meanRestSpectrum(wavelengths: fine)
        #expect(abs(m.reduce(0, +) / Double(m.count) - 1) < 1e-3)
        // The same wavelength gives the same value whatever else is asked for.
        let single = QuasarModel.meanRestSpectrum(wavelengths: [1450])[0]
        let i = Self.restGrid.firstIndex { $0 > 1450 }!
        let interpolated = QuasarModel.meanRestSpectrum(wavelengths: [Self.restGrid[i - 1], 1450, Self.restGrid[i]])[1]
        #expect(single == interpolated)
    }

    @Test func meanTemplateCarriesTheMeanForestBelowLyman() {
        // Continuum-only comparison at 1100 Å (between Lyβ and Lyα, no strong
        // line nearby): template / intrinsic = exp(-τ_eff(2.4)).
        let intrinsic = QuasarModel.restSpectrum(wavelengths: [1100, 1300], parameters: .mean)
        let template = QuasarModel.meanRestSpectrum(wavelengths: [1100, 1300])
        let ratio = (template[0] / template[1]) / (intrinsic[0] / intrinsic[1])
        #expect(abs(ratio - exp(-LymanForest.tauEffective(z: 2.4))) < 0.01)
        // Lyβ region is darker still, the Lyman continuum darker again.
        let t = QuasarModel.meanRestSpectrum(wavelengths: [980, 1100, 800])
        let i = QuasarModel.restSpectrum(wavelengths: [980, 1100, 800], parameters: .mean)
        #expect(t[0] / i[0] < t[1] / i[1])
        #expect(t[2] / i[2] < t[0] / i[0])
    }

    /// Wavelength of the maximum of `f` over a window.
    func peak(_ p: QuasarParameters, around centre: Double, halfWidth: Double) -> Double {
        let w = stride(from: centre - halfWidth, through: centre + halfWidth, by: 0.05).map { $0 }
        let f = QuasarModel.restSpectrum(wavelengths: w, parameters: p)
        return w[f.indices.max { f[$0] < f[$1] }!]
    }

    @Test func emissionLinesSitAtTheirVacuumWavelengths() {
        var p = QuasarParameters.mean
        p.highIonizationShiftKms = 0
        p.feIIScale = 0
        // SiIII] 1892 and AlIII 1857 blend into CIII] and pull its peak ~1 Å blueward.
        p.lineScales[QuasarModel.group("SiIII]")] = 0
        p.lineScales[QuasarModel.group("AlIII")] = 0
        for (name, λ) in [("Lya", 1215.67), ("CIV", 1549.06), ("CIII]", 1908.73), ("MgII", 2798.75),
                          ("Hb", 4862.68), ("[OIII]", 5008.24), ("Ha", 6564.61)] {
            let found = peak(p, around: λ, halfWidth: 15)
            #expect(abs(found - λ) < 0.5, "\(name): peak at \(found), expected \(λ)")
        }
        // The CIV blueshift moves the line by v/c.
        p.highIonizationShiftKms = -1000
        let shifted = peak(p, around: 1549.06, halfWidth: 20)
        #expect(abs(shifted - 1549.06 * (1 - 1000 / 299_792.458)) < 0.5)
    }

    @Test func equivalentWidthsMatchTheLineList() {
        var p = QuasarParameters.mean
        p.feIIScale = 0
        p.balmerContinuum = 0
        var bare = p
        bare.lineScales = bare.lineScales.map { _ in 0 }
        // MgII (EW 32 Å): ∫ (f - c)/c dλ over ±150 Å.
        let w = stride(from: 2650.0, through: 2950.0, by: 0.1).map { $0 }
        let f = QuasarModel.restSpectrum(wavelengths: w, parameters: p)
        let c = QuasarModel.restSpectrum(wavelengths: w, parameters: bare)
        let ew = zip(f, c).reduce(0) { $0 + ($1.0 - $1.1) / $1.1 } * 0.1
        #expect(abs(ew - 32) < 1.5, "MgII EW \(ew)")
        // No lines: a pure power law of slope α.
        let ratio = QuasarModel.restSpectrum(wavelengths: [1450, 2900], parameters: bare)
        #expect(abs(ratio[1] / ratio[0] - pow(2.0, p.alpha)) < 1e-9)
    }

    @Test func drawnParametersScatterAroundTheMean() {
        var rng = Xoshiro256StarStar(seed: 5)
        let draws = (0..<4000).map { _ in QuasarParameters.draw(using: &rng) }
        let alphas = draws.map(\.alpha)
        let mean = alphas.reduce(0, +) / Double(alphas.count)
        let sd = (alphas.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(alphas.count)).squareRoot()
        #expect(abs(mean + 1.5) < 0.02 && abs(sd - 0.3) < 0.02)
        let logScale = draws.map { log10($0.lineScales[QuasarModel.group("MgII")]) }
        let sdScale = (logScale.map { $0 * $0 }.reduce(0, +) / Double(logScale.count)).squareRoot()
        #expect(abs(sdScale - 0.2) < 0.02, "EW scatter \(sdScale) dex")
    }

    // MARK: Lyman-α forest

    @Test func forestMeanTransmissionMatchesFaucherGiguere() {
        // Many sightlines to a z = 3.2 quasar, no LLS: the mean transmission in
        // bins of absorber redshift must equal exp(-τ_eff(z)).
        var rng = Xoshiro256StarStar(seed: 99)
        let obs = DESIInstrument.wavelengths
        let zq = 3.2
        let sightlines = 400
        // Pixels between Lyβ and Lyα of the quasar (pure Lyα forest).
        let lo = LymanForest.lybRest * (1 + zq) + 5, hi = LymanForest.lyaRest * (1 + zq) * 0.98
        let bins = stride(from: lo, to: hi, by: (hi - lo) / 4).map { $0 }
        var sum = [Double](repeating: 0, count: bins.count)
        var count = [Double](repeating: 0, count: bins.count)
        var zSum = [Double](repeating: 0, count: bins.count)
        for _ in 0..<sightlines {
            let t = LymanForest.transmission(observed: obs, quasarRedshift: zq, absorbers: [], using: &rng)
            for (j, λ) in obs.enumerated() where λ >= lo && λ < hi {
                let b = min(Int((λ - lo) / ((hi - lo) / 4)), bins.count - 1)
                sum[b] += t[j]; count[b] += 1; zSum[b] += λ / LymanForest.lyaRest - 1
            }
        }
        for b in bins.indices {
            let z = zSum[b] / count[b]
            // Mean of exp(-τ_eff) over the bin's pixels ≈ exp(-τ_eff(mean z)) to 0.1%.
            let expected = exp(-LymanForest.tauEffective(z: z))
            let measured = sum[b] / count[b]
            #expect(abs(measured / expected - 1) < 0.03, "z \(z): \(measured) vs \(expected)")
        }
    }

    @Test func forestFluctuatesAndLeavesRedwardPixelsAlone() {
        var rng = Xoshiro256StarStar(seed: 3)
        let obs = DESIInstrument.wavelengths
        let t = LymanForest.transmission(observed: obs, quasarRedshift: 2.5, absorbers: [], using: &rng)
        let lya = LymanForest.lyaRest * 3.5
        let forest = zip(obs, t).filter { $0.0 < lya }.map(\.1)
        let red = zip(obs, t).filter { $0.0 >= lya }.map(\.1)
        #expect(red.allSatisfy { $0 == 1 })
        #expect(forest.allSatisfy { $0 >= 0 && $0 <= 1 })
        let m = forest.reduce(0, +) / Double(forest.count)
        let variance = forest.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(forest.count)
        #expect(variance.squareRoot() > 0.1, "forest rms \(variance.squareRoot())")
    }

    @Test func dampedAbsorberCarvesATroughAndALymanBreak() {
        var rng = Xoshiro256StarStar(seed: 8)
        let obs = DESIInstrument.wavelengths
        let dla = LymanForest.Absorber(redshift: 3.0, log10Column: 20.8, dopplerKms: 30)
        let t = LymanForest.transmission(observed: obs, quasarRedshift: 3.5, absorbers: [dla], using: &rng)
        let centre = LymanForest.lyaRest * 4.0
        let j = obs.firstIndex { $0 >= centre }!
        #expect(t[j] < 1e-3)
        // Below the absorber's Lyman limit (912 × 4 = 3647 Å) nothing gets through.
        let k = obs.firstIndex { $0 >= 3620 }!
        #expect(t[k] < 1e-6)
    }

    // MARK: anomalies

    @Test func balTroughAndIndices() {
        let bal = QuasarAnomaly.bal(vMinKms: 5000, vMaxKms: 12_000, depth: 0.8)
        let (bi, ai) = bal.civIndices
        #expect(bi > 2000 && bi < 7000, "BI \(bi)")
        #expect(ai >= bi)
        let shallow = QuasarAnomaly.bal(vMinKms: 5000, vMaxKms: 12_000, depth: 0.05).civIndices
        #expect(shallow.bi == 0 && shallow.ai == 0)
        // The trough removes flux at 8000 km/s blueward of CIV and not redward.
        let λ = 1549.06 * (1 - 8000 / 299_792.458)
        var f = [1.0, 1.0]
        bal.apply(restWavelengths: [λ, 1600], flux: &f, parameters: .mean)
        #expect(f[0] < 0.35 && f[1] == 1)
    }

    @Test func reddeningIsSMCLike() {
        var f = [1.0, 1.0]
        QuasarAnomaly.reddening(ebv: 0.2).apply(restWavelengths: [1500, 5500], flux: &f, parameters: .mean)
        // SMC: A(1500)/E(B-V) ≈ 13, A(5500)/E(B-V) ≈ 2.5.
        #expect(f[0] < f[1])
        #expect(abs(-2.5 * log10(f[0]) / 0.2 - QuasarAnomaly.smcExtinction(1500)) < 1e-9)
        #expect(QuasarAnomaly.smcExtinction(1500) > 11 && QuasarAnomaly.smcExtinction(1500) < 15)
    }

    @Test func weakLinesShrinkEveryLine() {
        var p = QuasarParameters.mean
        QuasarAnomaly.weakLines(scale: 0.2).adjust(&p)
        #expect(p.lineScales.allSatisfy { abs($0 - 0.2) < 1e-12 })
    }

    // MARK: instrument and observation

    @Test func desiArmGridsAreExact() {
        let arms = DESIInstrument.arms
        #expect(arms.map(\.count) == [2751, 2326, 2881])
        for arm in arms {
            let w = arm.wavelengths
            #expect(w[0] == arm.start)
            #expect(w[5] == arm.start + 5 * 0.8)
            #expect(DESIInstrument.wavelengths[arm.offset] == arm.start)
        }
        #expect(abs(arms[0].wavelengths.last! - 5800) < 1e-9)
        #expect(abs(arms[1].wavelengths.last! - 7620) < 1e-9)
        #expect(abs(arms[2].wavelengths.last! - 9824) < 1e-9)
        // Throughput falls toward the blue end.
        #expect(DESIInstrument.throughput(arm: 0, wavelength: 3600) < 0.5 * DESIInstrument.throughput(arm: 0, wavelength: 4500))
    }

    @Test func skyHasTheNightSkyLinesInVacuum() {
        // [OI] 5577.34 Å in air is 5578.89 Å in vacuum.
        #expect(abs(DESIInstrument.airToVacuum(5577.34) - 5578.89) < 0.02)
        let sky = DESIInstrument.sky
        let w = DESIInstrument.wavelengths
        let j = w.firstIndex { $0 >= 5578.5 }!
        let continuum = sky[w.firstIndex { $0 >= 5540 }!]
        #expect(sky[j] > 10 * continuum)
    }

    @Test func observationReachesTheTargetSNR() {
        var rng = Xoshiro256StarStar(seed: 17)
        var ratios: [Double] = []
        for _ in 0..<60 {
            let t = MockTargets.draw(.qso, anomalyFraction: 0, using: &rng)
            let shape = MockTargets.observedShape(t, using: &rng)
            let a = DESIInstrument.amplitude(forModel: shape, targetSNR: t.targetSNR, exposures: t.exposures)
            let o = DESIInstrument.observe(flux: shape.map { $0 * a }, exposures: t.exposures, using: &rng)
            #expect(o.flux.count == DESIInstrument.totalArmPixels)
            #expect(o.ivar.allSatisfy { $0 >= 0 && $0.isFinite })
            #expect(zip(o.mask, o.ivar).allSatisfy { $0.0 == 0 || $0.1 == 0 })
            ratios.append(o.snr / t.targetSNR)
        }
        let median = QADSpectra.median(&ratios)
        #expect(abs(median - 1) < 0.1, "measured/target SNR \(median)")
    }

    @Test func sameSeedSameSpectrumDifferentSeedDifferent() {
        func simulate(_ seed: UInt64) -> DESIInstrument.Observation {
            var rng = Xoshiro256StarStar(seed: seed)
            let t = MockTargets.draw(.qso, anomalyFraction: 0.5, using: &rng)
            let shape = MockTargets.observedShape(t, using: &rng)
            let a = DESIInstrument.amplitude(forModel: shape, targetSNR: t.targetSNR, exposures: t.exposures)
            return DESIInstrument.observe(flux: shape.map { $0 * a }, exposures: t.exposures, using: &rng)
        }
        let a = simulate(1234), b = simulate(1234), c = simulate(1235)
        #expect(a.flux == b.flux && a.ivar == b.ivar && a.mask == b.mask)
        #expect(a.flux != c.flux)
        // Child seeds are stable and distinct.
        #expect(SplitMix64.derive(7, 1) == SplitMix64.derive(7, 1))
        #expect(SplitMix64.derive(7, 1) != SplitMix64.derive(7, 2))
    }

    @Test func quasarRedshiftsLookLikeDESI() {
        var rng = Xoshiro256StarStar(seed: 21)
        var z = (0..<20_000).map { _ in MockTargets.drawQuasarRedshift(using: &rng) }
        #expect(z.allSatisfy { $0 >= 0.05 && $0 <= 6.8 })
        #expect(z.contains { $0 > 4 })
        let median = QADSpectra.median(&z)
        #expect(abs(median - 1.72) < 0.1, "median z \(median)")
    }

    @Test func galaxiesAndStarsHaveTheirFeatures() {
        // ELG: [OII] stands out; LRG: 4000 Å break.
        var rng = Xoshiro256StarStar(seed: 4)
        let elg = GalaxyParameters.drawStarForming(using: &rng)
        let e = GalaxyModel.restSpectrum(wavelengths: [3700, 3729.88], parameters: elg)
        #expect(e[1] > 2 * e[0])
        let lrg = GalaxyParameters.drawPassive(using: &rng)
        let band = GalaxyModel.restSpectrum(wavelengths: stride(from: 3850.0, through: 4100, by: 1).map { $0 }, parameters: lrg)
        let blue = band[0..<100].reduce(0, +), red = band[150...].reduce(0, +)
        #expect(red / blue > 1.4)
        // A star: Hβ absorption in an A star; CaII K in a K star.
        let a = StarModel.restSpectrum(wavelengths: [4800, 4862.68], parameters: StarParameters(temperature: 9500, radialVelocityKms: 0))
        #expect(a[1] < 0.6 * a[0])
        let k = StarModel.restSpectrum(wavelengths: [3920, 3934.78], parameters: StarParameters(temperature: 4500, radialVelocityKms: 0))
        #expect(k[1] < 0.6 * k[0])
        #expect(StarParameters(temperature: 3600, radialVelocityKms: 0).spectralClass == "M")
    }

    @Test func healpixRoundTrip() {
        for p in [0, 9144, 27247, 49151] {
            let c = HealpixNest.centre(nside: 64, pixel: p)
            #expect(HealpixNest.pixel(nside: 64, ra: c.ra, dec: c.dec) == p)
        }
    }
}
