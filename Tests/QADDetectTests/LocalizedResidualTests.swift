import Foundation
import QADCore
import Testing
@testable import QADDetect

/// Gaussian noise from a seeded generator.
struct NoiseSource {
    var rng: Xoshiro256StarStar
    init(seed: UInt64) { rng = Xoshiro256StarStar(seed: seed) }
    mutating func normal() -> Double {
        let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    mutating func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
}

private func noiseResidual(_ n: Int, lo: Int, shift: Int, source: inout NoiseSource) -> SpectrumResidual {
    SpectrumResidual(lo: lo, r: (0..<n).map { _ in source.normal() }, covered: [UInt8](repeating: 1, count: n), shift: shift)
}

private struct Collector: WindowVisitor {
    var values: [(slot: Int, coherent: Double, power: Double, step: Double)] = []
    mutating func visit(slot: Int, coherent: Double, power: Double, step: Double, reach: Double) {
        values.append((slot, coherent, power, step))
    }
}

@Suite struct LocalizedResidualTests {
    @Test func windowStatisticsOfPureNoiseAreStandardNormal() {
        var source = NoiseSource(seed: 7)
        let layout = WindowLayout(widths: [1, 9, 27], frameSize: 3000)
        var c = Collector()
        for _ in 0..<40 { noiseResidual(1000, lo: 500, shift: 0, source: &source).forEachWindow(layout: layout, offset: 0, &c) }
        let wide = layout.slot(widthIndex: 1, start: 0)  // power is 0 for single bins
        for (name, values) in [("coherent", c.values.map(\.coherent)), ("power", c.values.filter { $0.slot >= wide }.map(\.power)),
                               ("step", c.values.filter { $0.slot >= layout.slot(widthIndex: 1, start: 0) }.map(\.step))] {
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            #expect(abs(mean) < 0.05, "\(name) mean \(mean)")
            #expect(abs(sd - 1) < 0.1, "\(name) sd \(sd)")
        }
    }

    @Test func windowsStayInsideTheSpectrumAndNeedHalfTheirBinsCovered() {
        let layout = WindowLayout(widths: [4], frameSize: 100)
        var covered = [UInt8](repeating: 1, count: 10)
        for i in 0..<7 { covered[i] = 0 }  // only 3 of the last 4 bins covered
        let res = SpectrumResidual(lo: 20, r: covered.map { Double($0) }, covered: covered, shift: 0)
        var c = Collector()
        res.forEachWindow(layout: layout, offset: 0, &c)
        // Width 4 has stride 1: windows start at 20…26 (26 + 4 = 30 fits); only
        // [25, 29) and [26, 30) hold at least 2 of the covered bins 27, 28, 29.
        let starts = c.values.map { layout.window(ofSlot: $0.slot).start }
        #expect(starts == [25, 26])
        #expect(abs(c.values[1].coherent - 3 / 3.0.squareRoot()) < 1e-12)
    }

    @Test func droppingTheForestKeepsTheResidualFromTheFirstCoveredBinOn() {
        let res = SpectrumResidual(lo: 100, r: [1, 0, 2, 0, 3, 4, 0], covered: [1, 0, 1, 0, 1, 1, 0], shift: 7)
        let kept = res.dropping(before: 103)
        #expect(kept.lo == 104 && kept.r == [3, 4] && kept.covered == [1, 1] && kept.shift == 7)
        #expect(res.dropping(before: 0).r == [1, 0, 2, 0, 3, 4])  // trailing uncovered bins trimmed
        #expect(res.dropping(before: 106).count == 0)
    }

    @Test func aPlantedTroughIsFoundWhereItIsAtItsWidth() {
        var source = NoiseSource(seed: 11)
        let grid = RestGrid.standard
        let sample = (0..<300).map { _ in noiseResidual(1200, lo: 900, shift: 700, source: &source) }
        var settings = LocalizedResidualScorer.Settings()
        settings.widths = [1, 3, 9, 27, 81]
        settings.restWidths = [3, 9, 27, 81]
        let scorer = LocalizedResidualScorer(settings: settings, grid: grid, sample: sample, threads: 2)
        var spectrum = noiseResidual(1200, lo: 900, shift: 700, source: &source)
        for k in 400..<427 { spectrum.r[k] -= 1.5 }  // a trough of 27 bins at 1.5σ per bin
        let (rest, observed) = scorer.peaks(spectrum)
        #expect(rest.significance > 6)
        #expect(rest.width == 27 || rest.width == 81 || rest.width == 9)
        #expect(rest.start >= 900 + 400 - rest.width && rest.start <= 900 + 427)
        #expect(abs(observed.start - (rest.start + 700)) <= max(1, rest.width / 4))
        // Pure noise of the same kind stays near the maximum of thousands of normal values.
        let quiet = scorer.peaks(noiseResidual(1200, lo: 900, shift: 700, source: &source)).rest.significance
        #expect(quiet < 5 && quiet > 2)
        let span = scorer.wavelengthSpan(rest)
        #expect(span.width > 0 && span.centre > grid.center(rest.start) && span.centre < grid.center(rest.start + rest.width))
    }

    /// No blind spots at the edges of what a spectrum covers: a short
    /// trough in its first or last bins, or against either side of a masked
    /// stretch, raises the localized score as it does in the middle.
    @Test func troughsAtTheEndsAndAtMaskedEdgesAreFound() {
        var source = NoiseSource(seed: 13)
        var settings = LocalizedResidualScorer.Settings()
        settings.widths = [1, 3, 9, 27, 81]
        settings.restWidths = [3, 9, 27, 81]
        // Spectra start at different bins, as redshifts spread them.
        func spectrum() -> SpectrumResidual {
            var r = noiseResidual(1200, lo: 900 + Int(source.uniform() * 40), shift: 700, source: &source)
            for k in 600..<640 { r.r[k] = 0; r.covered[k] = 0 }  // a masked stretch
            return r
        }
        let sample = (0..<300).map { _ in spectrum() }
        let scorer = LocalizedResidualScorer(settings: settings, grid: .standard, sample: sample, threads: 2)
        let quiet = (0..<20).map { _ in scorer.peaks(spectrum()).rest.significance }.max()!
        #expect(quiet < 5.5, "noise alone reaches \(quiet)")
        for (place, bins) in [("first bins", 0..<12), ("last bins", 1188..<1200), ("before the mask", 588..<600),
                              ("after the mask", 640..<652), ("middle", 300..<312)] {
            var s = spectrum()
            for k in bins { s.r[k] -= 2.5 }  // 12 bins at 2.5σ: 8.7σ together
            let found = scorer.peaks(s).rest
            #expect(found.significance > 6, "\(place): \(found.significance)")
            #expect(found.start < s.lo + bins.upperBound && found.start + found.width > s.lo + bins.lowerBound,
                    "\(place): window \(found.start)..<\(found.start + found.width), trough \(s.lo + bins.lowerBound)..<\(s.lo + bins.upperBound)")
        }
    }

    @Test func aStepIsFoundByTheStepStatistic() {
        var source = NoiseSource(seed: 5)
        var settings = LocalizedResidualScorer.Settings()
        settings.widths = [81]
        settings.restWidths = [81]
        let sample = (0..<200).map { _ in noiseResidual(1000, lo: 1000, shift: 0, source: &source) }
        let scorer = LocalizedResidualScorer(settings: settings, grid: .standard, sample: sample, threads: 2)
        var spectrum = noiseResidual(1000, lo: 1000, shift: 0, source: &source)
        for k in 0..<500 { spectrum.r[k] += 0.8 }
        for k in 500..<1000 { spectrum.r[k] -= 0.8 }  // zero mean overall, a 1.6σ-per-bin jump at bin 1500
        #expect(scorer.peaks(spectrum).rest.significance > 6)
        // The largest step sits at the jump.
        var c = Collector()
        spectrum.forEachWindow(layout: scorer.rest.layout, offset: 0, &c)
        let best = c.values.max { abs($0.step) < abs($1.step) }!
        let start = scorer.rest.layout.window(ofSlot: best.slot).start
        #expect(abs(start + 40 - 1500) <= 10)
        #expect(best.step > 6)
    }
}
