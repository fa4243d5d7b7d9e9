import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADSpectra

private func arm(_ name: String, _ wave: [Double], flux: [Float], ivar: [Float], mask: [Int64]? = nil) -> ArmSpectrum {
    ArmSpectrum(name: name, wavelength: wave, flux: flux, ivar: ivar, mask: mask ?? [Int64](repeating: 0, count: wave.count))
}

@Suite struct ArmMergerTests {
    @Test func sharedWavelengthsCombineByInverseVariance() {
        // B: 1000, 1001, 1002   R: 1002 (+1e-9, as DESI's grids differ), 1003
        let b = arm("B", [1000, 1001, 1002], flux: [1, 1, 2], ivar: [1, 1, 1])
        let r = arm("R", [1002 + 1e-9, 1003], flux: [5, 3], ivar: [3, 1])
        let m = ArmMerger.merge([b, r])
        #expect(m.spectrum.wavelength == [1000, 1001, 1002, 1003])
        #expect(m.spectrum.ivar == [1, 1, 4, 1])
        #expect(abs(m.spectrum.flux[2] - (2 * 1 + 5 * 3) / 4.0) < 1e-12)
        // Step at the join: (5 − 2) / √(1/1 + 1/3)
        #expect(abs(m.armStep - 3 / (1 + 1.0 / 3).squareRoot()) < 1e-12)
    }

    @Test func maskedZeroIvarAndNonFinitePixelsGetNoWeight() {
        let a = arm("B", [1, 2, 3, 4, 5], flux: [1, .nan, 3, 4, 5], ivar: [1, 1, 0, -2, 1], mask: [0, 0, 0, 0, 8])
        let m = ArmMerger.merge([a])
        #expect(m.spectrum.ivar == [1, 0, 0, 0, 0])
        #expect(m.counts.total == 5)
        #expect(m.counts.masked == 1)
        #expect(m.counts.zeroIvar == 2)     // ivar 0 and ivar −2
        #expect(m.counts.badValues == 2)    // NaN flux and negative ivar
        #expect(m.armStep == 0)
    }

    /// Two overlapping arms on one grid (the `pairs` path), with bad pixels of
    /// every kind in and out of the overlap, against the definition pixel by pixel.
    @Test func overlappingArmsAgreeWithTheDefinition() throws {
        var rng = SplitMix64(seed: 7)
        func noisyArm(_ name: String, _ first: Int, _ n: Int) -> ArmSpectrum {
            let w = (0..<n).map { 5000.0 + 0.8 * Double(first + $0) }
            var flux = (0..<n).map { _ in Float(Double.random(in: -1...4, using: &rng)) }
            var ivar = (0..<n).map { _ in Float(Double.random(in: 0.1...3, using: &rng)) }
            var mask = [Int64](repeating: 0, count: n)
            for i in 0..<n where Double.random(in: 0...1, using: &rng) < 0.1 {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: mask[i] = 2
                case 1: ivar[i] = 0
                case 2: ivar[i] = -1
                default: flux[i] = Float.nan
                }
            }
            return arm(name, w, flux: flux, ivar: ivar, mask: mask)
        }
        let b = noisyArm("B", 0, 301), r = noisyArm("R", 201, 300)  // 100 shared pixels
        let m = ArmMerger.merge([b, r])
        func good(_ a: ArmSpectrum, _ i: Int) -> (f: Double, v: Double)? {
            let f = Double(a.flux[i]), v = Double(a.ivar[i])
            return a.mask[i] == 0 && f.isFinite && v > 0 ? (f, v) : nil
        }
        #expect(m.spectrum.wavelength.count == 501)
        var low = (v: 0.0, vf: 0.0), high = (v: 0.0, vf: 0.0)
        for k in 0..<501 {
            let members = [k < 301 ? good(b, k) : nil, k >= 201 ? good(r, k - 201) : nil].compactMap { $0 }
            let sv = members.reduce(0) { $0 + $1.v }, svf = members.reduce(0) { $0 + $1.v * $1.f }
            #expect(m.spectrum.ivar[k] == sv)
            #expect(abs(m.spectrum.flux[k] - (sv > 0 ? svf / sv : 0)) < 1e-12)
            if k >= 201, k < 301, let x = good(b, k), let y = good(r, k - 201) {
                low.v += x.v; low.vf += x.v * x.f; high.v += y.v; high.vf += y.v * y.f
            }
        }
        let step = (high.vf / high.v - low.vf / low.v) / (1 / low.v + 1 / high.v).squareRoot()
        #expect(abs(m.armStep - step) < 1e-9 * abs(step))
        let all = b.mask.indices.map { (b, $0) } + r.mask.indices.map { (r, $0) }
        #expect(m.counts.total == 601)
        #expect(m.counts.masked == all.filter { $0.0.mask[$0.1] != 0 }.count)
        #expect(m.counts.zeroIvar == all.filter { !($0.0.ivar[$0.1] > 0) }.count)
        #expect(m.counts.badValues == all.filter { !$0.0.flux[$0.1].isFinite || $0.0.ivar[$0.1] < 0 }.count)

        // The S/N is the NumPy-convention median of flux·√ivar over good merged pixels.
        var snr = m.spectrum.flux.indices.filter { m.spectrum.ivar[$0] > 0 }
            .map { m.spectrum.flux[$0] * m.spectrum.ivar[$0].squareRoot() }
        let expected = median(&snr)
        let grid = RestGrid.standard
        let p = try Preprocessor(grid: grid, reference: [Double](repeating: 1, count: grid.count))
            .process(ObservedSpectrum(info: TargetInfo(targetID: 1, z: 0.5, zSource: .catalog), arms: [b, r],
                                      survey: "DESI", sourceFile: "f", sourceHDU: "FIBERMAP", sourceRow: 0))
        #expect(abs(p.snr - expected) < 1e-6 * abs(expected))  // float32 per-pixel S/N
    }

    /// A finite flux too large to square in float32 still counts as a
    /// measured pixel (the S/N squares mark missing ones with +∞).
    @Test func anAbsurdButFiniteFluxIsStillAMeasurement() throws {
        let w = (0..<999).map { 4000.0 + 0.8 * Double($0) }
        var flux = [Float](repeating: 2, count: w.count)
        for i in stride(from: 0, to: w.count, by: 2) { flux[i] = 1e30 }  // 500 of 999 pixels: the median is one of them
        let a = arm("B", w, flux: flux, ivar: [Float](repeating: 1, count: w.count))
        let grid = RestGrid.standard
        let p = try Preprocessor(grid: grid, reference: [Double](repeating: 1, count: grid.count))
            .process(ObservedSpectrum(info: TargetInfo(targetID: 1, z: 0.5, zSource: .catalog), arms: [a],
                                      survey: "DESI", sourceFile: "f", sourceHDU: "FIBERMAP", sourceRow: 0))
        #expect(p.snr.isFinite && p.snr > 1e18)
    }

    @Test func unsortedInputIsSortedStably() {
        let a = arm("X", [3, 1, 2], flux: [30, 10, 20], ivar: [1, 1, 1])
        let m = ArmMerger.merge([a])
        #expect(m.spectrum.wavelength == [1, 2, 3])
        #expect(m.spectrum.flux == [10, 20, 30])
    }
}

@Suite struct RestFrameRebinnerTests {
    let rebinner = RestFrameRebinner()

    /// A DESI-like observed spectrum: 0.8 Å pixels from 3600 to 9824 Å.
    func desiLike(_ flux: (Double) -> Double, ivar: Double = 4) -> MergedSpectrum {
        let w = (0..<7781).map { 3600.0 + 0.8 * Double($0) }
        return MergedSpectrum(wavelength: w, flux: w.map(flux), ivar: [Double](repeating: ivar, count: w.count))
    }

    @Test func constantFluxStaysConstant() {
        let (flux, ivar) = rebinner.rebin(desiLike { _ in 3.5 }, z: 2)
        let covered = ivar.indices.filter { ivar[$0] > 0 }
        #expect(covered.count > 1000)
        for j in covered { #expect(abs(flux[j] - 3.5) < 1e-9) }
        // Covered bins sit inside 3600/3 … 9824/3 Å.
        let centers = rebinner.grid.centers
        #expect(centers[covered.first!] > 3600 / 3.0 - 2 && centers[covered.last!] < 9824 / 3.0 + 2)
    }

    @Test func integratedFluxIsConserved() {
        let s = desiLike { 1 + 0.5 * sin($0 / 7) + 2 * exp(-pow(($0 - 6000) / 20, 2)) }
        let z = 1.3
        let (flux, ivar) = rebinner.rebin(s, z: z)
        let edges = rebinner.edges
        // Integral over fully covered rest bins equals the integral of the
        // observed pixels mapped to the rest frame over the same range.
        let covered = ivar.indices.filter { ivar[$0] > 0 }
        let lo = edges[covered.first! + 1], hi = edges[covered.last!]
        var binned = 0.0
        for j in (covered.first! + 1)..<covered.last! { binned += flux[j] * (edges[j + 1] - edges[j]) }
        var direct = 0.0
        let w = s.wavelength
        for i in 1..<(w.count - 1) {
            let l = 0.5 * (w[i - 1] + w[i]) / (1 + z), r = 0.5 * (w[i] + w[i + 1]) / (1 + z)
            direct += s.flux[i] * max(0, min(r, hi) - max(l, lo))
        }
        #expect(abs(binned - direct) / direct < 1e-9)
    }

    @Test func varianceIsPropagated() {
        // Pixels with ivar 4 (σ = 0.5). A bin averaging n whole pixels has σ²/n,
        // so its ivar is about 4·n with n = bin width / pixel width.
        let z = 0.5
        let (_, ivar) = rebinner.rebin(desiLike({ _ in 1 }, ivar: 4), z: z)
        let edges = rebinner.edges
        for j in ivar.indices where ivar[j] > 0 && j % 100 == 0 {
            let n = (edges[j + 1] - edges[j]) * (1 + z) / 0.8
            #expect(abs(ivar[j] / (4 * n) - 1) < 0.25)
        }
    }

    /// Irregular pixels (some wider than a bin), bad pixels and spectra running
    /// off either end of the grid, against overlaps summed pixel by bin.
    @Test func agreesWithOverlapsSummedPixelByBin() {
        var rng = SplitMix64(seed: 11)
        let edges = rebinner.edges, nb = rebinner.grid.count
        for (start, z) in [(3600.0, 2.0), (400.0, 0.05), (8000.0, 0.05), (30.0, 0.1)] {
            var w = [start]
            for _ in 0..<3000 { w.append(w.last! + Double.random(in: 0.2...(w.count % 500 < 20 ? 12 : 1.5), using: &rng)) }
            let flux = w.map { _ in Double.random(in: -1...3, using: &rng) }
            let ivar = w.map { _ in Double.random(in: 0...1, using: &rng) < 0.1 ? 0 : Double.random(in: 0.5...4, using: &rng) }
            let (bf, bv) = rebinner.rebin(MergedSpectrum(wavelength: w, flux: flux, ivar: ivar), z: z)
            let (lo, hi) = MergePlan.pixelEdges(w)
            var sumO = [Double](repeating: 0, count: nb), sumOF = sumO, sumO2V = sumO
            for i in w.indices where ivar[i] > 0 {
                let l = lo[i] / (1 + z), r = hi[i] / (1 + z)
                for j in 0..<nb where edges[j] < r && edges[j + 1] > l {
                    let o = min(r, edges[j + 1]) - max(l, edges[j])
                    sumO[j] += o; sumOF[j] += o * flux[i]; sumO2V[j] += o * o / ivar[i]
                }
            }
            for j in 0..<nb {
                let covered = sumO[j] > 0 && sumO[j] >= RestFrameRebinner.minimumCoverage * (edges[j + 1] - edges[j])
                let f = covered ? sumOF[j] / sumO[j] : 0, v = covered ? sumO[j] * sumO[j] / sumO2V[j] : 0
                #expect(abs(bf[j] - f) <= 1e-9 * max(1, abs(f)))
                #expect(abs(bv[j] - v) <= 1e-9 * max(1, v))
            }
        }
    }

    @Test func partlyCoveredBinsAtTheEdgesAreDropped() {
        let s = MergedSpectrum(wavelength: [5000, 5000.8], flux: [1, 1], ivar: [1, 1])
        let (_, ivar) = rebinner.rebin(s, z: 0.1)
        // 1.6 Å observed → 1.45 Å rest, less than half of a ~4.2 Å bin at 4545 Å.
        #expect(ivar.allSatisfy { $0 == 0 })
    }
}

@Suite struct PreprocessorTests {
    let grid = RestGrid.standard
    var preprocessor: Preprocessor { Preprocessor(grid: grid, reference: [Double](repeating: 1, count: grid.count)) }

    func observed(z: Double, flux: Float = 2, arms: [ArmSpectrum]? = nil) -> ObservedSpectrum {
        let w = (0..<2000).map { 4000.0 + 0.8 * Double($0) }
        let a = arms ?? [arm("B", w, flux: [Float](repeating: flux, count: w.count), ivar: [Float](repeating: 1, count: w.count))]
        return ObservedSpectrum(info: TargetInfo(targetID: 39_633_559_463_397_282, z: z, zSource: .catalog),
                                arms: a, survey: "DESI", sourceFile: "coadd-x.fits", sourceHDU: "FIBERMAP", sourceRow: 3)
    }

    @Test func normalizesByTheFittedAmplitude() throws {
        let p = try preprocessor.process(observed(z: 1.5))
        #expect(abs(p.amplitude - 2) < 1e-9)   // reference is flat at 1
        #expect(abs(p.snr - 2) < 1e-9)          // flux 2 × √ivar 1
        let covered = p.weight.indices.filter { p.weight[$0] > 0 }
        #expect(covered.count == p.coveredBins)
        for j in covered { #expect(abs(p.flux[j] - 1) < 1e-6) }
        #expect(p.info.targetID == 39_633_559_463_397_282)
    }

    @Test func badRedshiftsAreRejectedWithFileAndRow() {
        for z in [0.0, -0.1, Double.nan] {
            let e = #expect(throws: InputProblem.self) { try preprocessor.process(observed(z: z)) }
            #expect(e?.file == "coadd-x.fits" && e?.row == 3 && e?.column == "Z")
        }
    }

    @Test func spectrumWithoutValidPixelsIsRejected() {
        let w = [4000.0, 4000.8, 4001.6]
        let dead = arm("B", w, flux: [1, 1, 1], ivar: [0, 0, 0])
        let e = #expect(throws: InputProblem.self) { try preprocessor.process(observed(z: 1, arms: [dead])) }
        #expect(e?.message.contains("no valid pixel") == true)
    }

    @Test func mismatchedArrayLengthsAreRejected() {
        let bad = arm("R", [5000, 5000.8, 5001.6], flux: [1, 1], ivar: [1, 1, 1])
        let e = #expect(throws: InputProblem.self) { try preprocessor.process(observed(z: 1, arms: [bad])) }
        #expect(e?.column == "R")
    }

    @Test func corruptPixelsAreZeroedFlaggedAndReported() throws {
        let w = (0..<2000).map { 4000.0 + 0.8 * Double($0) }
        var flux = [Float](repeating: 2, count: w.count)
        var ivar = [Float](repeating: 1, count: w.count)
        flux[10] = .infinity
        ivar[20] = -1
        let p = try preprocessor.process(observed(z: 1, arms: [arm("B", w, flux: flux, ivar: ivar)]))
        #expect(p.flags.contains(.badValues))
        #expect(p.warnings.count == 1 && p.warnings[0].message.contains("2 pixels"))
        #expect(p.flux.allSatisfy { $0.isFinite })
    }
}

@Suite struct MedianTests {
    @Test func matchesTheSortedDefinitionForOddEvenAndTiedInputs() {
        var rng = SystemRandomNumberGenerator()
        for n in [1, 2, 3, 4, 5, 10, 101, 511, 512, 513, 1000, 1024, 1025, 7781, 7782] {
            for trial in 0..<25 {
                // Heavy ties, smooth values, sorted input, constant input and wild
                // outliers all exercise the histogram's sampled range.
                var values: [Double]
                switch trial % 5 {
                case 0: values = (0..<n).map { _ in Double(Int.random(in: -50...50, using: &rng)) / 4 }
                case 1: values = (0..<n).map { _ in Double.random(in: -3...9, using: &rng) }
                case 2: values = (0..<n).map { Double($0 % 97) }.sorted()
                case 3: values = [Double](repeating: 2.3, count: n)
                default: values = (0..<n).map { i in i % 100 == 0 ? 1e30 : 3 * sin(Double(i) / 50) + Double.random(in: -1...1, using: &rng) }
                }
                let sorted = values.sorted()
                let expected = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
                #expect(median(&values) == expected)
            }
        }
    }
}

@Suite struct NoiseScaleTests {
    /// A quasar-like smooth spectrum (power law and a broad line) on the rest
    /// grid from 1000 Å, with Gaussian noise `actual` times the σ its weight claims.
    private func spectrum(actual: Double, bins: Int, seed: UInt64) -> (flux: [Float], weight: [Float]) {
        let grid = RestGrid.standard
        var rng = Xoshiro256StarStar(seed: seed)
        func normal() -> Double {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        let first = grid.bin(containing: 1000)
        var flux = [Float](repeating: 0, count: grid.count), weight = flux
        for j in first..<min(grid.count, first + bins) {
            let lambda = grid.center(j)
            let model = pow(lambda / 1500, -0.5) + 3 * exp(-0.5 * pow((lambda - 1549) / 25, 2))
            let sigma = 0.05 * model
            flux[j] = Float(model + actual * sigma * normal())
            weight[j] = Float(1 / (sigma * sigma))
        }
        return (flux, weight)
    }

    private func measure(_ s: (flux: [Float], weight: [Float])) -> Double {
        let ws = PreprocessingWorkspace()
        return s.flux.withUnsafeBufferPointer { f in
            s.weight.withUnsafeBufferPointer { w in NoiseScale(grid: .standard).measure(flux: f, weight: w, workspace: ws) }
        }
    }

    @Test func recoversThePlantedScatterOverTheClaimedError() {
        for (actual, seed) in [(1.0, UInt64(1)), (1.5, 2), (0.7, 3)] {
            let s = measure(spectrum(actual: actual, bins: 1500, seed: seed))
            // ~1,200 second differences redward of 1250 Å: MAD's relative error ~3 %.
            #expect(abs(s / actual - 1) < 0.1, "planted \(actual), measured \(s)")
        }
        #expect(NoiseScale.weightDivisor(1.5) == 2.25 && NoiseScale.weightDivisor(0.7) == 1)
    }

    @Test func tooFewBinsRedwardOfTheForestLeaveTheErrorsAlone() {
        // 250 bins from 1000 Å reach 1259 Å: under 10 second differences
        // redward of 1250 Å. 300 bins (to 1318 Å) give about 60, enough.
        #expect(measure(spectrum(actual: 3, bins: 250, seed: 4)) == 1)
        #expect(abs(measure(spectrum(actual: 3, bins: 300, seed: 4)) / 3 - 1) < 0.3)
    }

    @Test func ingestWidensTheWeightsAndFlagsTheExcess() throws {
        let grid = RestGrid.standard
        let reference = [Double](repeating: 1, count: grid.count)
        var rng = Xoshiro256StarStar(seed: 5)
        func normal() -> Double {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        let wave = (0..<6000).map { 3600 + Double($0) * 0.8 }
        let flux = wave.map { _ in Float(10 + 2 * normal()) }   // scatter 2, ivar claims 1
        let info = TargetInfo(targetID: 7, z: 1.0, zSource: .catalog)
        let s = ObservedSpectrum(info: info, arms: [arm("B", wave, flux: flux, ivar: [Float](repeating: 1, count: wave.count))],
                                 survey: "TEST", sourceFile: "t.fits", sourceHDU: "B", sourceRow: 0)
        let out = try Preprocessor(grid: grid, reference: reference).process(s)
        // Rebinning averages ~6 pixels per bin; the scatter ratio survives it.
        #expect(abs(out.noiseScale - 2) < 0.2, "noise scale \(out.noiseScale)")
        #expect(out.flags.contains(.noiseExcess))
    }
}
