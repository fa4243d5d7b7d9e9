import Foundation
import QADCore
import Testing
@testable import QADDetect

/// A quasar-like reconstruction on the standard grid: a power law f_λ ∝ λ^α
/// with Gaussian broad lines (rest Å, EW Å), covered where DESI sees it at z.
private func quasar(alpha: Double, lineScale: Double, z: Double, grid: RestGrid = .standard) -> (m: [Float], w: [Float]) {
    let lines: [(Double, Double)] = [(1549, 30), (1908, 20), (2799, 35), (4863, 60), (6565, 250)]
    let centers = grid.centers
    var m = [Float](repeating: 0, count: grid.count), w = m
    for (i, λ) in centers.enumerated() {
        let continuum = pow(λ / 3000, alpha)
        var f = continuum
        for (centre, ew) in lines {
            let sigma = centre * 4500 / 2.355 / 299_792.458
            f += lineScale * ew * continuum * exp(-0.5 * pow((λ - centre) / sigma, 2)) / (sigma * (2 * Double.pi).squareRoot())
        }
        m[i] = Float(f)
        let observed = λ * (1 + z)
        w[i] = observed >= 3600 && observed <= 9800 ? 1 : 0
    }
    return (m, w)
}

@Suite struct ShapeScoreTests {
    @Test func normalQuantileInvertsTheNormalCDF() {
        #expect(normalQuantile(0.5).magnitude < 1e-12)
        #expect(abs(normalQuantile(0.975) - 1.959963984540054) < 1e-9)
        #expect(abs(normalQuantile(0.995) - 2.5758293035489) < 1e-9)
        #expect(abs(normalQuantile(1e-6) + 4.753424308822899) < 1e-8)
        #expect(abs(normalQuantile(0.1) + normalQuantile(0.9)) < 1e-12)
        #expect(normalQuantile(0) == -.infinity && normalQuantile(1) == .infinity)
    }

    @Test func equivalentWidthOfAnIsolatedLineIsMeasured() {
        let (m, w) = quasar(alpha: 0, lineScale: 1, z: 1.2)
        let shape = m.withUnsafeBufferPointer { mp in
            w.withUnsafeBufferPointer { wp in ShapeMeasurer(grid: .standard).measure(flux: mp.baseAddress!, weight: wp.baseAddress!, reconstruction: mp.baseAddress!) }
        }
        let index = ShapeWindows.lines.firstIndex { $0.name == "MgII" }!
        #expect(abs(exp(shape.logEquivalentWidth[index]) - 35) < 0.7)
        // Hα sits beyond 9800 Å at z = 1.2: not covered, so not measured.
        #expect(shape.logEquivalentWidth[ShapeWindows.lines.firstIndex { $0.name == "Hα" }!].isNaN)
        #expect(shape.logContinuum.contains { $0.isFinite } && shape.logContinuum.contains { $0.isNaN })
    }

    @Test func linesAreMeasuredOnTheDataNotOnTheReconstruction() {
        // The model gives a weak-line quasar normal lines; the data keep a
        // fifth of them. A masked profile bin takes the model's flux.
        let (data, w) = quasar(alpha: -1.5, lineScale: 0.2, z: 1.2)
        let (model, _) = quasar(alpha: -1.5, lineScale: 1, z: 1.2)
        var weight = w.map { $0 * 4 }
        let mgII = ShapeWindows.lines.firstIndex { $0.name == "MgII" }!
        let centre = RestGrid.standard.centers.firstIndex { $0 >= 2799 }!
        var noisy = data
        noisy[centre + 10] = 1e6   // a bad pixel inside the profile (+26 Å), masked below
        weight[centre + 10] = 0
        let shape = noisy.withUnsafeBufferPointer { fp in
            weight.withUnsafeBufferPointer { wp in
                model.withUnsafeBufferPointer { mp in
                    ShapeMeasurer(grid: .standard).measure(flux: fp.baseAddress!, weight: wp.baseAddress!, reconstruction: mp.baseAddress!)
                }
            }
        }
        let ew = exp(shape.logEquivalentWidth[mgII])
        #expect(ew > 0.2 * 35 - 1 && ew < 0.2 * 35 + 2.5, "MgII EW \(ew) Å: the data's 7 Å, plus the model's share in one masked bin")
        // The continuum stays the model's.
        let modelShape = model.withUnsafeBufferPointer { mp in
            w.withUnsafeBufferPointer { wp in
                ShapeMeasurer(grid: .standard).measure(flux: mp.baseAddress!, weight: wp.baseAddress!, reconstruction: mp.baseAddress!)
            }
        }
        for (a, b) in zip(shape.logContinuum, modelShape.logContinuum) where a.isFinite || b.isFinite {
            #expect(abs(a - b) < 1e-9)
        }
    }

    @Test func aRedderAndAWeakLinedQuasarStandOutAmongNormalOnes() {
        var source = NoiseSource(seed: 4)
        let n = 600, red = 100, weak = 400
        let measurer = ShapeMeasurer(grid: .standard)
        var z: [Double] = [], measurements: [ShapeMeasurement] = []
        for i in 0..<n {
            let zi = 0.4 + 2.6 * Double(i) / Double(n) + 0.001 * source.normal()
            var alpha = -1.5 + 0.1 * source.normal()
            var scale = exp(0.1 * source.normal())
            if i == red { alpha += 1.2 }
            if i == weak { scale *= 0.2 }
            let (m, w) = quasar(alpha: alpha, lineScale: scale, z: zi)
            z.append(zi)
            measurements.append(m.withUnsafeBufferPointer { mp in
                w.withUnsafeBufferPointer { wp in measurer.measure(flux: mp.baseAddress!, weight: wp.baseAddress!, reconstruction: mp.baseAddress!) }
            })
        }
        let scores = ShapeScores(measurements, z: z, window: 100)
        #expect(scores.colour.indices.max { scores.colour[$0] < scores.colour[$1] } == red)
        #expect(scores.colourDeviation[red] > 5)
        #expect(scores.lines.indices.max { scores.lines[$0] < scores.lines[$1] } == weak)
        #expect(scores.lineDeviation[weak] < -5)
        // Normal spectra stay near 0.
        let typical = scores.colour.sorted()[n / 2]
        #expect(typical < 1)
    }

    @Test func extremeOutliersKeepTheirLeadInTheCombinedScore() {
        var source = NoiseSource(seed: 5)
        let n = 2000
        var x = (0..<n).map { _ in source.normal() }
        x[3] = 40
        x[4] = 8
        let z = (0..<n).map { _ in 1 + source.uniform() }, snr = (0..<n).map { _ in 1 + source.uniform() }
        let g = CombinedScore.combine([.colour: x], components: [.colour], cells: NuisanceCells(spectra: n), z: z, snr: snr)
        // Both stay above every normal value. The 8σ one reads 3.8σ: the tail
        // fitted to a normal sample's 60–90 % quantiles is exponential, heavier
        // than a normal tail, so evidence grows linearly, not quadratically.
        #expect(g[3] > g[4] && g[4] > g.sorted()[n - 3] && g[4] > 3.5)
        let median = g.sorted()[n / 2]
        #expect(abs(median) < 0.1)
    }
}
