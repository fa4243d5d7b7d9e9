import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADDetect

@Suite struct VariabilityScoreTests {
    /// Ordinary pairs whose every component grows with S/N and baseline, and a
    /// few changed pairs: the calibrated score ranks the changed ones first
    /// and follows neither S/N nor baseline among the ordinary ones.
    @Test func calibrationRemovesSNRAndBaselineTrendsAndKeepsTheChanges() throws {
        var noise = NoiseSource(seed: 19)
        var pairs: [PairEvidence] = [], changed: [Bool] = []
        for i in 0..<6000 {
            let snr = exp(noise.uniform() * 3), days = exp(noise.uniform() * 6)
            // Ordinary: larger at high S/N and long baselines, heavy-tailed.
            let trend = 2 + 0.8 * log(snr) + 0.3 * log(days)
            var e = PairEvidence(local: trend + abs(noise.normal()), lines: trend * 0.5 + abs(noise.normal()),
                                 continuum: trend * 0.7 + abs(noise.normal()) * (1 + noise.uniform()),
                                 whole: trend + noise.normal(), snr: snr, restFrameDays: days)
            let isChanged = i % 100 == 0
            if isChanged { e.lines += 8 }
            pairs.append(e)
            changed.append(isChanged)
        }
        let v = VariabilityScore.scores(pairs)
        let ordinary = pairs.indices.filter { !changed[$0] }
        let rhoSNR = try EvaluationMetrics.spearman(ordinary.map { v[$0] }, ordinary.map { pairs[$0].snr })
        let rhoDays = try EvaluationMetrics.spearman(ordinary.map { v[$0] }, ordinary.map { pairs[$0].restFrameDays })
        #expect(abs(rhoSNR) < 0.05 && abs(rhoDays) < 0.05, "ρ(S/N) \(rhoSNR), ρ(baseline) \(rhoDays)")
        // The raw components do follow both.
        let rawRho = try EvaluationMetrics.spearman(ordinary.map { pairs[$0].local }, ordinary.map { pairs[$0].snr })
        #expect(rawRho > 0.5)
        let auc = try EvaluationMetrics.rocAUC(scores: v, labels: changed)
        #expect(auc > 0.99)
        #expect(v.allSatisfy { $0.isFinite })
    }

    /// A rare class change (quasar → star) weighs more than a common one
    /// (the galaxy/quasar confusion of faint spectra), which weighs more than none.
    @Test func rareClassChangesCountMoreThanCommonOnes() {
        var noise = NoiseSource(seed: 3)
        var pairs: [PairEvidence] = []
        for i in 0..<4000 {
            let change: String? = i % 100 == 7 ? "QSO → STAR" : (i % 5 == 1 ? "QSO → GALAXY" : nil)
            pairs.append(PairEvidence(local: abs(noise.normal()), lines: abs(noise.normal()), continuum: abs(noise.normal()),
                                      whole: noise.normal(), snr: 1 + noise.uniform() * 5, restFrameDays: 100 + noise.uniform() * 900,
                                      classChange: change))
        }
        let v = VariabilityScore.scores(pairs)
        func mean(_ label: String?) -> Double {
            let members = pairs.indices.filter { pairs[$0].classChange == label }
            return members.map { v[$0] }.reduce(0, +) / Double(members.count)
        }
        #expect(mean("QSO → STAR") > mean("QSO → GALAXY") + 0.5 && mean("QSO → GALAXY") > mean(nil))
    }

    /// A pair with nothing measured ranks with the most suspicious (its
    /// evidence is the largest before the final calibration), not last.
    @Test func unmeasuredPairsAreNotHidden() {
        var pairs: [PairEvidence] = []
        for i in 0..<500 {
            let k = Double(i)
            pairs.append(PairEvidence(local: k.truncatingRemainder(dividingBy: 7), lines: k.truncatingRemainder(dividingBy: 5),
                                      continuum: k.truncatingRemainder(dividingBy: 3),
                                      whole: k.truncatingRemainder(dividingBy: 11),
                                      snr: 1 + k.truncatingRemainder(dividingBy: 13), restFrameDays: 10 + k))
        }
        pairs[42] = PairEvidence(local: .nan, lines: .nan, continuum: .nan, whole: .nan, snr: 3, restFrameDays: 100)
        let v = VariabilityScore.scores(pairs)
        let above = v.indices.filter { $0 != 42 && v[$0] > v[42] }.count
        #expect(above < 10, "\(above) pairs rank above the unmeasured one")
        #expect(VariabilityScore.scores([]).isEmpty)
    }

    /// The S/N-matched AUC equals survey2's metrics.py `snr_matched_auc`, an
    /// independent NumPy implementation, on scores that partly follow S/N.
    @Test(.needs(.python)) func snrMatchedAUCEqualsSurvey2Metrics() throws {
        let python = try requirePython()
        var noise = NoiseSource(seed: 7)
        var scores: [Double] = [], labels: [Bool] = [], snr: [Double] = []
        for i in 0..<3000 {
            let anomaly = i % 25 == 0
            let s = exp(noise.normal() * 0.7 + (anomaly ? 0.6 : 0))
            scores.append(0.5 * log(s) + noise.normal() + (anomaly ? 1 : 0))
            labels.append(anomaly)
            snr.append(i == 5 ? 0 : s)  // one object without an S/N is left out by both
        }
        // Ties, which both count as ½.
        for i in stride(from: 0, to: 3000, by: 97) { scores[i] = 0.25 }
        let mine = try EvaluationMetrics.snrMatchedROCAUC(scores: scores, labels: labels, snr: snr)
        let input = temporaryPath("auc.json")
        try JSONSerialization.data(withJSONObject: ["s": scores, "y": labels, "snr": snr]).write(to: URL(fileURLWithPath: input))
        let metrics = sharedData("../survey2/metrics.py")
        let code = """
            import json, sys, importlib.util
            spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(m)
            d = json.load(open(sys.argv[2]))
            print(repr(m.snr_matched_auc(d["y"], d["s"], d["snr"])))
            """
        let r = try run(python, ["-c", code, metrics, input])
        #expect(r.status == 0, "\(r.output)")
        let peer = try #require(Double(r.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(mine - peer) < 1e-12, "qad \(mine), survey2 \(peer)")
        // A score that is S/N alone gets 0.5.
        let alone = try EvaluationMetrics.snrMatchedROCAUC(scores: snr.map { $0 > 0 ? log($0) : 0 }, labels: labels, snr: snr)
        #expect(abs(alone - 0.5) < 0.05, "\(alone)")
    }
}
