import Foundation
import QADCore

/// The combined anomaly score.
///
/// Each component is put on a scale where its normal spectra are roughly
/// symmetric (log for χ², KL and distances: `ScoreDefinition.logScale`),
/// standardized against spectra of similar z and S/N by running median and
/// MAD (`NuisanceCells`), and turned into evidence `L = −log10 p`, its upper
/// tail p-value among spectra of similar S/N with a tail fitted to that
/// component's own normal spectra (`TailEvidence`). Every component then
/// speaks in the same unit whatever the shape of its tail, and a component
/// whose normal spectra scatter widely on the data at hand brings no more
/// normal spectra to the top than one whose normal spectra agree.
///
/// The components' evidence is combined as its Euclidean norm √(Σ L²):
/// one overwhelming component ranks a spectrum high (an anomaly needs to
/// stand out in one way, not in all), and two moderate ones rank it above
/// either alone (a wrong redshift moves the lines, the colour and the
/// localized residuals together). The norm is standardized and turned into
/// a tail p-value once more in the same way, so that among normal spectra
/// it means the same at every S/N and redshift, and reported as the
/// equivalent one-sided normal significance (σ).
///
/// Chosen by leave-one-class-out on two independent simulators against the
/// largest-percentile rule it replaced, Fisher's sum, min-p and ACAT
/// (docs/scores.md, "Detection on surveys qad did not make").
public enum CombinedScore {
    /// The scale a component is standardized on.
    static func transformed(_ name: ScoreName, _ v: [Double]) -> [Double] {
        name.definition.logScale ? v.map { $0 > 0 ? log($0) : ($0 == 0 ? -30 : .nan) } : v
    }

    /// Evidence `L = −log10 p` of each component's values (NaN where not measured).
    public static func evidence(_ name: ScoreName, _ v: [Double], cells: NuisanceCells, z: [Double], snr: [Double],
                                tailWindow: Int, tailFraction: Double) -> [Double] {
        evidence(transformed(name, v), cells: cells, z: z, snr: snr, tailWindow: tailWindow, tailFraction: tailFraction)
    }

    /// Evidence of values already on their scale: standardized in `cells`
    /// along `z` (or what stands for it) and S/N, then tail evidence along S/N.
    public static func evidence(_ v: [Double], cells: NuisanceCells, z: [Double], snr: [Double], tailWindow: Int,
                                tailFraction: Double) -> [Double] {
        TailEvidence.log10Evidence(cells.standardize(v, z: z, snr: snr), snr: snr, window: tailWindow,
                                   tailFraction: tailFraction)
    }

    public static func combine(_ values: [ScoreName: [Double]], components: [ScoreName], cells: NuisanceCells,
                               z: [Double], snr: [Double], tailWindow: Int = 0, tailFraction: Double = ScoreSettings().tailFraction) -> [Double] {
        let each = components.compactMap { name in
            values[name].map { Self.evidence(name, $0, cells: cells, z: z, snr: snr, tailWindow: tailWindow, tailFraction: tailFraction) }
        }
        return calibratedNorm(each, count: z.count, cells: cells, z: z, snr: snr, tailWindow: tailWindow,
                              tailFraction: tailFraction)
    }

    /// √(ΣL²) over the components' evidence, an object with none measured
    /// taking the largest, calibrated once more like a component and
    /// reported as a one-sided normal significance (σ).
    public static func calibratedNorm(_ components: [[Double]], count n: Int, cells: NuisanceCells, z: [Double],
                                      snr: [Double], tailWindow: Int, tailFraction: Double) -> [Double] {
        var sumSquares = [Double](repeating: 0, count: n), measured = [Bool](repeating: false, count: n)
        for l in components {
            for i in 0..<n where l[i].isFinite {
                sumSquares[i] += l[i] * l[i]
                measured[i] = true
            }
        }
        var norm = sumSquares.map { $0.squareRoot() }
        // A spectrum with no measured component is as suspicious as the worst.
        let worst = zip(norm, measured).filter(\.1).map(\.0).max() ?? 0
        for i in 0..<n where !measured[i] { norm[i] = worst }
        return Self.evidence(norm, cells: cells, z: z, snr: snr, tailWindow: tailWindow, tailFraction: tailFraction)
            .map { TailEvidence.sigma(log10Evidence: $0) }
    }
}
