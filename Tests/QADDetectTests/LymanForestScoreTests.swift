import Foundation
import QADCore
import Testing
@testable import QADDetect

@Suite struct LymanForestScoreTests {
    let grid = RestGrid.standard

    /// A residual of unit noise from rest bin `lo` on, `count` bins long.
    func residual(lo: Int, count: Int, _ source: inout NoiseSource, scale: Double = 1, offset: Double = 0) -> SpectrumResidual {
        SpectrumResidual(lo: lo, r: (0..<count).map { _ in offset + scale * source.normal() },
                         covered: [UInt8](repeating: 1, count: count), shift: 0)
    }

    @Test func theForestIsMeasuredOnlyWhereItIsCovered() {
        var source = NoiseSource(seed: 2)
        let forest = LymanForestScore.bins(grid)
        #expect(abs(grid.center(forest.lowerBound) - 1040) < 2 && abs(grid.center(forest.upperBound - 1) - 1190) < 2)
        // Covering the whole forest: Σr/√n and the Wilson–Hilferty deviate are unit normal.
        let measured = (0..<2000).map { _ in
            LymanForestScore.measure(residual(lo: forest.lowerBound - 50, count: 1500, &source), forest: forest)!
        }
        for values in [measured.map(\.mean), measured.map(\.spread)] {
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            #expect(abs(mean) < 0.1 && abs(sd - 1) < 0.1, "mean \(mean) sd \(sd)")
        }
        // Starting past the middle of the forest: too little of it to judge.
        let late = residual(lo: forest.lowerBound + forest.count * 2 / 3, count: 1000, &source)
        #expect(LymanForestScore.measure(late, forest: forest) == nil)
        #expect(LymanForestScore.measure(residual(lo: forest.upperBound + 10, count: 500, &source), forest: forest) == nil)
    }

    /// A forest too smooth for its noise (no absorption: a star at a
    /// quasar's redshift) or transmitting too much stands out; normal
    /// forests at every z do not, and spectra without one get no score.
    @Test func aMissingOrShiftedForestStandsOutAmongNormalOnes() {
        var source = NoiseSource(seed: 9)
        let forest = LymanForestScore.bins(grid)
        var measurements: [(mean: Double, spread: Double)?] = [], z: [Double] = []
        for i in 0..<3000 {
            let redshift = 1.0 + 3.0 * Double(i) / 3000
            z.append(redshift)
            // Only z > 2.1 reaches rest 1040 Å from the blue end (3600 Å / 3.1 ≈ 1160 Å).
            let lo = max(0, grid.bin(containing: 3600 / (1 + redshift)))
            measurements.append(LymanForestScore.measure(residual(lo: lo, count: 2000, &source), forest: forest))
        }
        let smooth = LymanForestScore.measure(residual(lo: forest.lowerBound - 20, count: 1500, &source, scale: 0.3),
                                              forest: forest)
        // 0.5σ a bin over ~146 bins: about 6σ together.
        let bright = LymanForestScore.measure(residual(lo: forest.lowerBound - 20, count: 1500, &source, offset: 0.5),
                                              forest: forest)
        measurements[2900] = smooth
        measurements[2950] = bright
        let scores = LymanForestScore.scores(measurements, z: z, window: 400)
        #expect(scores[..<1000].allSatisfy { $0.isNaN })  // z < 2: no forest covered
        let normal = scores.indices.filter { scores[$0].isFinite && $0 != 2900 && $0 != 2950 }.map { scores[$0] }.sorted()
        #expect(normal[normal.count / 2] < 1.6, "median of normal forests \(normal[normal.count / 2])")
        #expect(scores[2900] > 8 && scores[2950] > 5, "smooth \(scores[2900]), bright \(scores[2950])")
    }
}
