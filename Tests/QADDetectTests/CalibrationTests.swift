import Foundation
import QADCore
import Testing
@testable import QADDetect

@Suite struct CalibrationTests {
    @Test func standardizingWithinCellsRemovesTheSNRAndRedshiftTrend() throws {
        var source = NoiseSource(seed: 2)
        let n = 8000
        let z = (0..<n).map { _ in 0.2 + 3 * abs(source.normal()) / 2 }
        let snr = (0..<n).map { _ in exp(0.6 * source.normal()) * 2 }
        // A raw score whose centre and spread grow with S/N and z.
        let raw = (0..<n).map { i in 3 * snr[i] + z[i] + (0.5 + snr[i]) * source.normal() }
        let cells = NuisanceCells(spectra: n, window: 200)
        #expect(cells.slices >= 4)
        let s = cells.standardize(raw, z: z, snr: snr)
        #expect(abs(spearman(raw, snr)) > 0.5)
        #expect(abs(spearman(s, snr)) < 0.05)
        #expect(abs(spearman(s, z)) < 0.05)
        // An outlier stays an outlier.
        var withOutlier = raw
        withOutlier[17] += 50 * (0.5 + snr[17])
        #expect(cells.standardize(withOutlier, z: z, snr: snr)[17] > 20)
    }

    @Test func percentilesUseAverageRanksAndSkipNaN() {
        let p = percentiles([3, 1, 2, 2, .nan])
        #expect(p[1] == 12.5 && p[2] == 50 && p[3] == 50 && p[0] == 87.5 && p[4].isNaN)
    }

    @Test func combinedScoreFollowsTheMostUnusualComponent() {
        var source = NoiseSource(seed: 9)
        let n = 4000
        let z = (0..<n).map { _ in 1 + source.normal().magnitude }
        let snr = (0..<n).map { _ in 2 + source.normal().magnitude }
        var values: [ScoreName: [Double]] = [:]
        for name in [ScoreName.reconChi2, .kl, .knn] { values[name] = (0..<n).map { _ in exp(0.3 * source.normal()) } }
        for name in [ScoreName.iforest, .localRest, .localObs] { values[name] = (0..<n).map { _ in source.normal() } }
        values[.localRest]![5] = 40   // one spectrum far out in one component only
        let cells = NuisanceCells(spectra: n)
        let combined = CombinedScore.combine(values, groups: [[.reconChi2], [.kl], [.iforest], [.knn], [.localRest], [.localObs]],
                                             cells: cells, z: z, snr: snr)
        #expect(combined.indices.max { combined[$0] < combined[$1] } == 5)
        let sorted = combined.sorted()
        #expect(abs(sorted[n / 2]) < 0.05)  // normal spectra centred on 0
    }

    @Test func runningPercentilesOverTheWholeSampleEqualTheGlobalOnes() {
        var source = NoiseSource(seed: 4)
        let x = (0..<3000).map { _ in (source.normal() * 4).rounded() / 4 }  // ties included
        let ordered = Array(x.indices.shuffled(using: &source.rng))
        let running = RunningQuantile.percentilesAndTail(x, ordered: ordered, window: 5000, quantile: 0.995)
        let global = percentiles(x)
        let q = RunningQuantile.quantile(x.sorted(), 0.995)
        for (k, i) in ordered.enumerated() {
            #expect(abs(running.percentile[k] - global[i]) < 1e-9)
            #expect(running.tail[k] == q)
        }
    }

    @Test func tailPointsFollowSNRSoAHeavyTailedEndDoesNotFillTheTop() {
        // Faint spectra (low S/N) have tails three times heavier than bright ones.
        var source = NoiseSource(seed: 6)
        let n = 20000
        let snr = (0..<n).map { _ in exp(source.normal()) }
        let faint = snr.map { $0 < 1 }
        let x = (0..<n).map { i -> Double in
            let g = source.normal()
            return faint[i] && abs(g) > 1.5 ? g * 3 : g
        }
        func topShare(_ g: [Double]) -> (faint: Double, bright: Double) {
            let cut = g.sorted()[n - n / 100]   // top 1 %
            let top = g.indices.filter { g[$0] >= cut }
            let f = Double(top.filter { faint[$0] }.count) / Double(top.count)
            return (f, 1 - f)
        }
        let global = topShare(CombinedScore.rankNormalized(x))
        let running = topShare(CombinedScore.rankNormalized(x, snr: snr, tailWindow: 2000))
        #expect(global.faint > 0.9)                          // one tail point: the faint half takes the top
        #expect(running.faint > 0.35 && running.faint < 0.65) // each half its own share
        // An outlier among the bright still outranks the faint tail.
        var withOutlier = x
        let bright = x.indices.first { !faint[$0] }!
        withOutlier[bright] = 12
        let g = CombinedScore.rankNormalized(withOutlier, snr: snr, tailWindow: 2000)
        #expect(g.indices.max { g[$0] < g[$1] } == bright)
    }

    @Test func explanationNamesTheWindowThatCarriesTheResidual() {
        let grid = RestGrid.standard
        let explainer = ResidualExplainer(grid: grid, expected: [Double](repeating: 1, count: grid.count))
        let z = 2.0
        // Covered rest 1300–2500 Å; excess in CIV's window and at observed 5577 Å.
        let lo = Int((log10(1300.0) - grid.log10Start) / grid.log10Step)
        let hi = Int((log10(2500.0) - grid.log10Start) / grid.log10Step)
        var r = [Double](repeating: 0.9, count: hi - lo)
        for k in r.indices {
            let λ = grid.center(lo + k)
            if λ > 1480 && λ < 1540 { r[k] = 5 }
            if abs(λ * (1 + z) - 5577) < 3 { r[k] = 8 }
        }
        let windows = explainer.explain(SpectrumResidual(lo: lo, r: r, covered: [UInt8](repeating: 1, count: r.count),
                                                         shift: 0), z: z)
        #expect(windows.first?.window == "CIV")
        #expect(windows.contains { $0.window == "sky 5577" && $0.frame == "obs" })
        #expect(windows.allSatisfy { $0.share > 0 && $0.share <= 1 })
    }
}

/// Spearman ρ with average ranks (test helper, independent of QADDetect's).
func spearman(_ x: [Double], _ y: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
        let idx = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < idx.count {
            var j = i
            while j + 1 < idx.count && v[idx[j + 1]] == v[idx[i]] { j += 1 }
            for k in i...j { r[idx[k]] = Double(i + j) / 2 }
            i = j + 1
        }
        return r
    }
    let rx = ranks(x), ry = ranks(y)
    let mx = rx.reduce(0, +) / Double(x.count), my = ry.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices { sxy += (rx[i] - mx) * (ry[i] - my); sxx += (rx[i] - mx) * (rx[i] - mx); syy += (ry[i] - my) * (ry[i] - my) }
    return sxy / (sxx * syy).squareRoot()
}
