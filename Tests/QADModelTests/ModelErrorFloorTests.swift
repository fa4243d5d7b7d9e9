import Foundation
import QADCore
import QADFixtures
import QADTestSupport
import Testing
@testable import QADModel

@Suite struct ModelErrorFloorTests {
    /// Rows of `bins` bins at m = 2, σ = 0.5, with a 10 % model error in the
    /// first half only.
    static func plantedRows(_ n: Int, bins: Int, seed: UInt64) -> (flux: [[Float]], weight: [Float], model: [Float]) {
        var rng = SeededRandom(seed: seed)
        let flux = (0..<n).map { _ in
            (0..<bins).map { i in Float(2 * (1 + (i < bins / 2 ? 0.1 : 0) * normal(&rng)) + 0.5 * normal(&rng)) }
        }
        return (flux, [Float](repeating: 4, count: bins), [Float](repeating: 2, count: bins))
    }

    @Test func recoversAPlantedFractionalError() {
        let bins = 50
        let (flux, weight, model) = Self.plantedRows(4000, bins: bins, seed: 3)
        var floor = ModelErrorFloor(bins: bins)
        for f in flux { floor.add(flux: f, weight: weight, reconstruction: model, first: 0, count: bins) }
        let eps = floor.epsilon
        #expect(abs(eps[..<25].reduce(0, +) / 25 - 0.1) < 0.01, "\(eps)")
        #expect(eps[25...].reduce(0, +) / 25 < 0.02, "\(eps)")
    }

    /// Per-thread accumulators merged equal one accumulator over all rows,
    /// and rows given from a first bin land on the bins they cover.
    @Test func mergedPartsAndOffsetRowsEqualOnePass() {
        let bins = 30
        let (flux, weight, model) = Self.plantedRows(2000, bins: bins, seed: 5)
        var whole = ModelErrorFloor(bins: bins + 7), a = ModelErrorFloor(bins: bins + 7), b = a
        for (i, f) in flux.enumerated() {
            whole.add(flux: f, weight: weight, reconstruction: model, first: 7, count: bins)
            if i % 2 == 0 { a.add(flux: f, weight: weight, reconstruction: model, first: 7, count: bins) }
            else { b.add(flux: f, weight: weight, reconstruction: model, first: 7, count: bins) }
        }
        a.merge(b)
        for (x, y) in zip(a.epsilon, whole.epsilon) { #expect(abs(x - y) <= 1e-12 * max(1, y)) }
        #expect(whole.epsilon[..<7].allSatisfy { $0 == 0 })
        #expect(whole.epsilon[7..<22].allSatisfy { $0 > 0.07 }, "\(whole.epsilon)")
    }

    /// A bin far off (an anomaly, not model error) does not widen ε, and a
    /// bin covered by fewer than `minimumSpectra` spectra gets none.
    @Test func outliersAndThinBinsAreLeftOut() {
        let bins = 20
        let (flux, weight, model) = Self.plantedRows(500, bins: bins, seed: 7)
        var clean = ModelErrorFloor(bins: bins), dirty = clean
        for f in flux {
            clean.add(flux: f, weight: weight, reconstruction: model, first: 0, count: bins)
            dirty.add(flux: f, weight: weight, reconstruction: model, first: 0, count: bins)
        }
        var spike = flux[0]
        spike[15] = 2 + 0.5 * 40  // 40σ
        dirty.add(flux: spike, weight: weight, reconstruction: model, first: 0, count: bins)
        #expect(abs(dirty.epsilon[15] - clean.epsilon[15]) < 0.005)
        var thin = ModelErrorFloor(bins: bins)
        for f in flux.prefix(ModelErrorFloor.minimumSpectra - 1) {
            thin.add(flux: f, weight: weight, reconstruction: model, first: 0, count: bins)
        }
        #expect(thin.epsilon.allSatisfy { $0 == 0 })
    }
}
