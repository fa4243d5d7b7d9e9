import Foundation
import QADCore
import QADFormats
import QADTestSupport
import Testing
@testable import QADDetect

/// A scored sample with two planted families among 3,000 ordinary spectra:
/// "sky" (artefacts: the sky-line score fired, the strongest residual at
/// 5577 Å observed) and "trough" (BAL-like: the trough score fired, the
/// residual near 1500 Å rest). The sky family sits at the very top of the
/// anomaly ranking; the trough family just below it.
struct PlantedSample {
    var scores: [ScoreRecord] = []
    var family: [String?] = []
    var latents: [[Float]] = []

    init(ordinary: Int = 3000, perFamily: Int = 60, seed: UInt64 = 5) {
        var rng = Xoshiro256StarStar(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func gauss() -> Double { sqrt(-2 * log(max(uniform(), 1e-300))) * cos(2 * .pi * uniform()) }
        let n = ordinary + 2 * perFamily
        for i in 0..<n {
            let kind: String? = i < ordinary ? nil : (i < ordinary + perFamily ? "sky" : "trough")
            var pct: [ScoreName: Double] = [:]
            for name in ScoreName.components { pct[name] = 100 * uniform() }
            var restLambda = 1000 + 3000 * uniform(), obsLambda = 3600 + 6000 * uniform()
            var latent = (0..<16).map { _ in Float(gauss()) }
            switch kind {
            case "sky":
                pct[.skyLines] = 99 + uniform()
                pct[.localObs] = 98 + 2 * uniform()
                obsLambda = 5577 * (1 + 0.0005 * gauss())
                pct[.score] = 99.5 + 0.5 * uniform()
            case "trough":
                pct[.balTrough] = 99 + uniform()
                pct[.localRest] = 97 + 3 * uniform()
                restLambda = 1500 * (1 + 0.01 * gauss())
                latent[0] += 3
                pct[.score] = 96 + 3 * uniform()
            default:
                pct[.score] = 99 * uniform()
            }
            scores.append(ScoreRecord(model: "vae", targetid: TargetID(1000 + i), values: pct, percentiles: pct,
                                      localRestLambda: restLambda, localRestWidth: 50, localObsLambda: obsLambda,
                                      localObsWidth: 50, explanation: [], neighbors: []))
            family.append(kind)
            latents.append(latent)
        }
    }

    var features: RelevanceFeatures { RelevanceFeatures(scores: scores, latent: { latents[$0] }) }
    var percentiles: [Double] { scores.map(\.scorePct) }
    func members(_ kind: String) -> [Int] { family.indices.filter { family[$0] == kind } }
}

@Suite struct RelevanceModelTests {
    @Test func featuresPutEveryBlockOnOneScale() {
        let sample = PlantedSample()
        let f = sample.features
        #expect(f.count == sample.scores.count)
        #expect(f.dimensions == ScoreName.components.count + 16 + 2)
        #expect(f.names.first == "score:" + ScoreName.components[0].rawValue && f.names.last == "where:obs")
        // The latent and where blocks weigh alike (mean squared length about 1
        // per spectrum); a score that did not reach its top 10 % is 0.
        for (prefix, size) in [("score:", ScoreName.components.count), ("latent:", 16), ("where:", 2)] {
            let dims = f.names.indices.filter { f.names[$0].hasPrefix(prefix) }
            #expect(dims.count == size)
            var sum = 0.0, zeros = 0
            for i in 0..<3000 {
                for d in dims {
                    let v = Double(f.values[i * f.dimensions + d])
                    sum += v * v
                    if v == 0 { zeros += 1 }
                }
            }
            let perBlock = sum / 3000
            if prefix == "score:" {
                #expect(abs(Double(zeros) / Double(3000 * size) - 0.9) < 0.02, "\(zeros) zeros")
            } else {
                #expect(perBlock > 0.6 && perBlock < 1.6, "\(prefix) block weighs \(perBlock)")
            }
        }
        // By the relevance kernel, where near in any block counts, a sky
        // residual's most similar spectra are its family, though their quasars differ.
        let sky = sample.members("sky")
        let model = RelevanceModel(features: f, anomalyPercentile: sample.percentiles)
        let similar = model.similar(to: sky[0]).prefix(20)
        #expect(similar.filter { sample.family[$0.index] == "sky" }.count >= 15, "\(similar)")
        #expect(!similar.contains { $0.index == sky[0] })
        #expect(zip(similar, similar.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
    }

    @Test func withoutLabelsTheQueueIsTheAnomalyRanking() {
        let sample = PlantedSample()
        let model = RelevanceModel(features: sample.features, anomalyPercentile: sample.percentiles)
        let pct = sample.percentiles
        let byScore = pct.indices.sorted { pct[$0] != pct[$1] ? pct[$0] > pct[$1] : $0 < $1 }
        #expect(model.pool == Array(byScore.prefix(2000)))
        #expect(model.ranking() == model.pool)
        #expect(model.next(excluding: []) == byScore[0])
        #expect(model.explain(byScore[0])?.relevance == 0 && model.explain(byScore[0])?.novelty == 1)
    }

    @Test func labelsPushAFamilyDownAndPullAnotherUp() {
        let sample = PlantedSample()
        let model = RelevanceModel(features: sample.features, anomalyPercentile: sample.percentiles)
        func top(_ n: Int, _ kind: String, excluding seen: Set<Int>) -> Int {
            model.ranking(excluding: seen).prefix(n).filter { sample.family[$0] == kind }.count
        }
        #expect(top(60, "sky", excluding: []) >= 50)
        // Five artefacts labelled "less like this": the family leaves the top.
        let sky = Array(sample.members("sky").prefix(5))
        for i in sky { model.setRelevance(-1, of: i) }
        let seen = Set(sky)
        #expect(top(60, "sky", excluding: seen) <= 12, "sky family still in the top 60")
        #expect(model.explain(sample.members("sky")[10])!.relevance < -0.5)
        // Three troughs labelled "more like this": the family fills the top.
        let trough = Array(sample.members("trough").prefix(3))
        for i in trough { model.setRelevance(1, of: i) }
        #expect(top(50, "trough", excluding: seen.union(trough)) >= 45)
        let unlabelled = sample.members("trough").filter { !trough.contains($0) }.map { model.explain($0)! }
        let ordinary = model.pool.first { sample.family[$0] == nil }!
        let relevance = unlabelled.map(\.relevance).sorted()
        // The family's typical member is more relevant than nine in ten
        // ordinary candidates (the prior lifts a few of them: they share the
        // family's high combined-score tail).
        let ordinaryRelevance = model.pool.filter { sample.family[$0] == nil }.map { model.explain($0)!.relevance }.sorted()
        let familyMedian = relevance[relevance.count / 2], ordinary90 = ordinaryRelevance[ordinaryRelevance.count * 9 / 10]
        #expect(familyMedian > 0.25 && familyMedian > ordinary90 + 0.15, "trough family median \(familyMedian), ordinary 90th percentile \(ordinary90)")
        #expect(unlabelled.allSatisfy { $0.novelty < model.explain(ordinary)!.novelty })
        #expect(unlabelled.allSatisfy { why in why.neighbours.contains { trough.contains($0.index) && $0.relevance == 1 } })
        // An ordinary spectrum keeps most of its exploration bonus.
        #expect(model.explain(ordinary)!.novelty > 0.5)
    }

    @Test func anEmptySelectionLearnsButListsNothing() {
        let sample = PlantedSample(ordinary: 200, perFamily: 10)
        let model = RelevanceModel(features: sample.features, anomalyPercentile: sample.percentiles, eligible: [])
        model.setRelevances([(sample.members("sky")[0], -1), (sample.members("trough")[0], 1)])
        #expect(model.pool.isEmpty && model.ranking().isEmpty && model.next(excluding: []) == nil)
        #expect(model.labelCount == 2 && model.priorCoefficients.count == model.features.dimensions + 1)
    }

    @Test func aLabelCanBeChangedAndWithdrawnAndBatchEqualsOneByOne() {
        let sample = PlantedSample()
        let features = sample.features
        let a = RelevanceModel(features: features, anomalyPercentile: sample.percentiles)
        let b = RelevanceModel(features: features, anomalyPercentile: sample.percentiles)
        let baseline = a.keys
        let sky = sample.members("sky"), trough = sample.members("trough")
        a.setRelevance(1, of: sky[0])
        a.setRelevance(-1, of: sky[0])       // relabelled: the earlier label is replaced
        a.setRelevance(1, of: trough[0])
        b.setRelevances([(sky[0], -1), (trough[0], 1)])
        #expect(a.labelCount == 2)
        #expect(zip(a.keys, b.keys).allSatisfy { abs($0 - $1) < 1e-9 })
        a.setRelevance(nil, of: sky[0])
        a.setRelevance(nil, of: trough[0])
        #expect(a.labelCount == 0)
        #expect(zip(a.keys, baseline).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test(.needs(.python)) func queueKeysEqualScikitLearnAndNumPy() throws {
        let python = try requirePython()
        let sample = PlantedSample(ordinary: 2500, perFamily: 40)
        let features = sample.features
        let model = RelevanceModel(features: features, anomalyPercentile: sample.percentiles)
        let labelled = Array(sample.members("sky").prefix(4)) + Array(sample.members("trough").prefix(3))
            + Array(model.pool.filter { sample.family[$0] == nil }.prefix(5))
        let relevance = labelled.map { i -> Double in
            switch sample.family[i] { case "trough": return 1; case "sky": return -1; default: return i % 2 == 0 ? -1 : 0 }
        }
        model.setRelevances(zip(labelled, relevance).map { ($0, Optional($1)) })
        let dir = temporaryDirectory()
        try NPYFile.write(features.values, shape: [features.count, features.dimensions], to: dir + "/features.npy")
        try NPYFile.write(model.pool.map(Double.init), to: dir + "/pool.npy")
        try NPYFile.write(model.anomaly, to: dir + "/anomaly.npy")
        try NPYFile.write(labelled.map(Double.init), to: dir + "/labelled.npy")
        try NPYFile.write(relevance, to: dir + "/relevance.npy")
        let s = model.settings
        try NPYFile.write([s.weight, s.exploration, s.priorCount, Double(s.familySize), s.ridge,
                           s.kernel == .additive ? 1 : 0], to: dir + "/settings.npy")
        try NPYFile.write(zip(features.blocks, features.blockWeights).flatMap { [Double($0.lowerBound), Double($0.upperBound), $1] },
                          to: dir + "/blocks.npy")
        try NPYFile.write(model.priorCoefficients, to: dir + "/qad_beta.npy")
        try NPYFile.write(model.keys, to: dir + "/qad_keys.npy")
        let (status, output) = try run(python, [packageRoot.appendingPathComponent("tools/crosscheck_detect.py").path,
                                                "relevance", dir])
        print(output, terminator: "")
        #expect(status == 0 && output.hasSuffix("ok\n"), "\(output)")
    }
}
