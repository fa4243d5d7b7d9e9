import Foundation
import QADCore
import Testing
@testable import QADDetect

/// A residual of pure noise covering rest bins lo..<lo+n, with a model S/N per bin.
private func noise(_ n: Int, lo: Int, shift: Int, modelSNR: Double, source: inout NoiseSource) -> SpectrumResidual {
    SpectrumResidual(lo: lo, r: (0..<n).map { _ in source.normal() }, covered: [UInt8](repeating: 1, count: n),
                     shift: shift, modelSNR: [Double](repeating: modelSNR, count: n))
}

/// Rest-grid bin holding wavelength λ (Å).
private func bin(_ lambda: Double, _ grid: RestGrid = .standard) -> Int {
    Int(((log10(lambda) - grid.log10Start) / grid.log10Step).rounded(.down))
}

@Suite struct TargetedScoreTests {
    @Test func fixedWindowCalibrationLearnsAScaleThatGrowsWithReach() {
        var source = NoiseSource(seed: 21)
        // Noise of variance 1 plus a smooth model error of 5 % of the reach.
        let seen = (0..<6000).map { i -> (value: Double, reach: Double) in
            let reach = Double(i % 100) * 2
            return (0.3 + (1 + 0.0025 * reach * reach).squareRoot() * source.normal(), reach)
        }
        let c = FixedWindowCalibration.fit(seen, passes: 3)
        #expect(abs(c.mean - 0.3) < 0.1)
        #expect(abs(c.base - 1) < 0.25, "base \(c.base)")
        #expect(abs(c.growth - 0.0025) < 0.0005, "growth \(c.growth)")
        // Standardized, faint and bright windows have the same spread.
        for range in [0.0..<40.0, 160.0..<200.0] {
            let u = seen.filter { range.contains($0.reach) }.map { c.standardize($0.value, reach: $0.reach) }
            let sd = (u.map { $0 * $0 }.reduce(0, +) / Double(u.count)).squareRoot()
            #expect(abs(sd - 1) < 0.15, "sd \(sd) at reach \(range)")
        }
        #expect(FixedWindowCalibration.fit(Array(seen.prefix(5)), passes: 2).base == 1)  // too few: pure noise
    }

    @Test func slidingWindowCalibrationScalesBrightSpectraByTheirReach() {
        var source = NoiseSource(seed: 4)
        // Half the sample faint (model S/N 0.1 per bin), half bright (S/N 5) with a
        // 3 % coherent model error over each 27-bin window.
        var sample: [SpectrumResidual] = []
        for k in 0..<600 {
            let bright = k % 2 == 1
            var res = noise(540, lo: 1000, shift: 0, modelSNR: bright ? 5 : 0.1, source: &source)
            if bright {
                for w in stride(from: 0, to: 540, by: 27) {
                    let delta = 0.03 * 5 * source.normal()
                    for i in w..<(w + 27) { res.r[i] += delta }
                }
            }
            sample.append(res)
        }
        let layout = WindowLayout(widths: [27], frameSize: 3276)
        let c = WindowCalibration.fit(layout: layout, sample: sample.map { ($0, 0) }, passes: 3, threads: 2)
        struct Spread: WindowVisitor {
            let c: WindowCalibration
            var sq = [0.0, 0.0], n = [0.0, 0.0]
            mutating func visit(slot: Int, coherent: Double, power: Double, step: Double, reach: Double) {
                let u = c.standardize(slot: slot, coherent: coherent, power: power, step: step, reach: reach).coherent
                let k = reach > 1 ? 1 : 0
                sq[k] += u * u; n[k] += 1
            }
        }
        var spread = Spread(c: c)
        for s in sample { s.forEachWindow(layout: layout, offset: 0, &spread) }
        let faint = (spread.sq[0] / spread.n[0]).squareRoot(), bright = (spread.sq[1] / spread.n[1]).squareRoot()
        // Unscaled, the bright windows' coherent spread would be √(1 + 27·0.15²) ≈ 1.4 times the faint ones'.
        #expect(abs(faint - 1) < 0.15 && abs(bright - 1) < 0.15, "faint \(faint) bright \(bright)")
    }

    @Test func armStepsAndSkyLinesAreFoundWhereTheInstrumentPutsThem() {
        var source = NoiseSource(seed: 8)
        let grid = RestGrid.standard
        let shift = Int((log10(1 + 1.5) / grid.log10Step).rounded())  // z = 1.5
        let lo = 1200, n = 2000
        let sample = (0..<400).map { _ in noise(n, lo: lo, shift: shift, modelSNR: 2, source: &source) }
        let scorer = InstrumentSignatureScorer(settings: .init(), grid: grid, sample: sample, passes: 2, threads: 2)
        let quiet = (0..<50).map { _ in scorer.scores(noise(n, lo: lo, shift: shift, modelSNR: 2, source: &source)) }
        #expect(quiet.allSatisfy { $0.armJoinStep < 5 && $0.skyLines < 5 }, "\(quiet.max { $0.armJoinStep < $1.armJoinStep }!)")

        // The B arm 1σ per bin low: a step at the B/R join, 5780 Å observed.
        var step = noise(n, lo: lo, shift: shift, modelSNR: 2, source: &source)
        let join = bin(5780) - shift - lo
        for i in 0..<join { step.r[i] -= 1 }
        let s = scorer.scores(step)
        #expect(s.armJoinStep > 6, "\(s)")

        // Two bright sky lines under-subtracted by 5σ in the bin that holds them.
        var sky = noise(n, lo: lo, shift: shift, modelSNR: 2, source: &source)
        for line in [7343.0, 8346.9] { sky.r[bin(line) - shift - lo] += 5 }
        let t = scorer.scores(sky)
        #expect(t.skyLines > 6 && t.armJoinStep < 5, "\(t)")
        // Of opposite signs they are two separate 5σ lines, not one pattern.
        var mixed = noise(n, lo: lo, shift: shift, modelSNR: 2, source: &source)
        mixed.r[bin(7343.0) - shift - lo] += 5
        mixed.r[bin(8346.9) - shift - lo] -= 5
        #expect(scorer.scores(mixed).skyLines < t.skyLines)
    }

    @Test func aTroughAtTheSameVelocityInCIVAndSiIVIsABALTrough() {
        var source = NoiseSource(seed: 13)
        let grid = RestGrid.standard
        let lo = bin(1240), n = bin(3200) - bin(1240)
        let sample = (0..<400).map { _ in noise(n, lo: lo, shift: 800, modelSNR: 2, source: &source) }
        let scorer = BALTroughScorer(settings: .init(), grid: grid, sample: sample, passes: 2, threads: 2)
        let quiet = (0..<50).map { _ in scorer.score(noise(n, lo: lo, shift: 800, modelSNR: 2, source: &source))! }
        #expect(quiet.allSatisfy { $0 < 5.5 }, "\(quiet.max()!)")

        // 6,000–12,000 km/s troughs, 1.5σ per bin deep, in CIV and SiIV.
        func trough(_ lambda: Double) -> Range<Int> {
            (bin(lambda * (1 - 12000 / 299_792.458)) - lo)..<(bin(lambda * (1 - 6000 / 299_792.458)) - lo)
        }
        var hi = noise(n, lo: lo, shift: 800, modelSNR: 2, source: &source)
        for i in trough(1549.06) { hi.r[i] -= 1.5 }
        let civOnly = scorer.score(hi)!
        for i in trough(1396.76) { hi.r[i] -= 1.5 }
        let both = scorer.score(hi)!
        #expect(civOnly > 3 && both > civOnly + 2, "CIV only \(civOnly), with SiIV \(both)")

        // Nothing covered between the forest and MgII's troughs: no score.
        let red = noise(200, lo: bin(4000), shift: 800, modelSNR: 2, source: &source)
        #expect(scorer.score(red) == nil)
    }
}
