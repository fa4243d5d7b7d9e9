import Foundation
import QADCore
import QADDetect
import QADLabels

/// `qad bench relevance`: simulated review sessions on scored stores with a
/// truth table, under several settings, both personas; a leave-one-class-out
/// choice of the setting; and how long a re-rank after one label takes.
public enum RelevanceBenchmark {
    /// A named setting tried.
    public struct Setting: Sendable {
        public var name: String
        public var settings: RelevanceSettings

        public init(name: String, settings: RelevanceSettings) {
            self.name = name
            self.settings = settings
        }
    }

    /// The default first, then one change at a time.
    public static var settings: [Setting] {
        var out: [Setting] = [Setting(name: "default", settings: RelevanceSettings())]
        func variant(_ name: String, _ change: (inout RelevanceSettings) -> Void) {
            var s = RelevanceSettings()
            change(&s)
            out.append(Setting(name: name, settings: s))
        }
        variant("product kernel") { $0.kernel = .product }
        variant("no global model") { $0.globalModel = false }
        variant("whole score quantiles") { $0.features.scoreTail = 0 }
        variant("latent weight 0.5") { $0.features.latentWeight = 0.5 }
        variant("no latent block") { $0.features.latentWeight = 0 }
        variant("where weight 2") { $0.features.whereWeight = 2 }
        variant("λ 1") { $0.weight = 1 }
        variant("λ 2") { $0.weight = 2 }
        variant("λ 4") { $0.weight = 4 }
        variant("λ 6") { $0.weight = 6 }
        variant("no exploration") { $0.exploration = 0 }
        variant("exploration 1") { $0.exploration = 1 }
        variant("family 5") { $0.familySize = 5 }
        variant("family 30") { $0.familySize = 30 }
        variant("prior count 3") { $0.priorCount = 3 }
        variant("ridge 0.1") { $0.ridge = 0.1 }
        return out
    }

    /// One replay's outcome under one setting.
    public struct Outcome: Sendable {
        public var survey: String
        public var persona: String
        public var setting: String
        public var result: ReviewReplayResult
        /// Mean and longest wall time of one re-rank (label in, next candidate out), seconds.
        public var meanRerank: Double
        public var maxRerank: Double
    }

    /// Replays `persona` on one survey under `setting` (each step timed by the replay).
    public static func replay(survey: String, features: RelevanceFeatures, anomalyPercentile: [Double],
                              truthClass: [String?], persona: ReviewerPersona, reviewed: Int,
                              setting: Setting) -> Outcome {
        let result = ReviewReplay.run(features: features, anomalyPercentile: anomalyPercentile, truthClass: truthClass,
                                      persona: persona, reviewed: reviewed, settings: setting.settings)
        return Outcome(survey: survey, persona: persona.name, setting: setting.name, result: result,
                       meanRerank: result.meanStep, maxRerank: result.longestStep)
    }

    /// For each persona and interesting class: the setting chosen on every
    /// other class (most of them found in the first `window`, summed over the
    /// surveys), and the share of the held-out class it then finds.
    public static func leaveOneClassOut(_ outcomes: [Outcome]) -> String {
        let window = outcomes.first?.result.classWindow ?? 0
        var text = "leave-one-class-out (setting chosen on the other classes of all surveys; the held-out class found in the first \(window)):\n"
        for persona in Set(outcomes.map(\.persona)).sorted() {
            let mine = outcomes.filter { $0.persona == persona }
            var classes = Set<String>()
            for o in mine { classes.formUnion(o.result.interestingByClass.keys) }
            for held in classes.sorted() {
                var bySetting: [String: Int] = [:]
                for o in mine {
                    let others = o.result.adaptiveByClass.filter { $0.key != held }.values.reduce(0, +)
                    bySetting[o.setting, default: 0] += others
                }
                let order = settings.map(\.name)
                guard let chosen = order.filter({ bySetting[$0] != nil }).max(by: { bySetting[$0]! < bySetting[$1]! }) else { continue }
                let picked = mine.filter { $0.setting == chosen }
                let found = picked.map { $0.result.adaptiveByClass[held] ?? 0 }.reduce(0, +)
                let total = picked.map { $0.result.interestingByClass[held] ?? 0 }.reduce(0, +)
                let defaults = mine.filter { $0.setting == "default" }
                let foundDefault = defaults.map { $0.result.adaptiveByClass[held] ?? 0 }.reduce(0, +)
                let staticFound = defaults.map { $0.result.staticByClass[held] ?? 0 }.reduce(0, +)
                text += "  \(persona.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                    + "\(held.padding(toLength: 20, withPad: " ", startingAt: 0)) chosen: "
                    + "\(chosen.padding(toLength: 22, withPad: " ", startingAt: 0))"
                    + String(format: " %d/%d (default %d, static %d)\n", found, total, foundDefault, staticFound)
            }
        }
        return text
    }

    /// One row per setting: found after 100 and 300 for each survey and persona.
    public static func table(_ outcomes: [Outcome]) -> String {
        let columns = Array(Set(outcomes.map { "\($0.survey) \($0.persona)" })).sorted()
        var text = "interesting found after 100 / 300 reviewed (share of all found after 300)\n"
        text += "setting".padding(toLength: 24, withPad: " ", startingAt: 0)
            + columns.map { $0.padding(toLength: 26, withPad: " ", startingAt: 0) }.joined() + "\n"
        func cell(_ r: ReviewReplayResult, _ curve: [Int]) -> String {
            let share = r.interestingTotal > 0 ? Double(r.found(curve, after: 300)) / Double(r.interestingTotal) : 0
            return "\(r.found(curve, after: 100)) / \(r.found(curve, after: 300)) (\(String(format: "%.2f", share)))"
                .padding(toLength: 26, withPad: " ", startingAt: 0)
        }
        for setting in settings.map(\.name) {
            let row = columns.map { c in outcomes.first { "\($0.survey) \($0.persona)" == c && $0.setting == setting } }
            guard row.contains(where: { $0 != nil }) else { continue }
            text += setting.padding(toLength: 24, withPad: " ", startingAt: 0)
                + row.map { $0.map { cell($0.result, $0.result.adaptive) } ?? "-".padding(toLength: 26, withPad: " ", startingAt: 0) }
                    .joined() + "\n"
        }
        let first = columns.map { c in outcomes.first { "\($0.survey) \($0.persona)" == c } }
        text += "static ranking".padding(toLength: 24, withPad: " ", startingAt: 0)
            + first.map { $0.map { cell($0.result, $0.result.staticRanking) } ?? "" }.joined() + "\n"
        text += "random order".padding(toLength: 24, withPad: " ", startingAt: 0)
            + first.map { o -> String in
                guard let r = o?.result else { return "" }
                return String(format: "%.1f / %.1f", r.randomExpected(after: 100), r.randomExpected(after: 300))
                    .padding(toLength: 26, withPad: " ", startingAt: 0)
            }.joined() + "\n"
        return text
    }

    /// Re-rank time on a synthetic sample of `n` spectra (features drawn like
    /// the scored ones: 14 tail scores, 16 latents, 2 positions; the pool is
    /// the default 5 %): mean and longest seconds per label over `labels`
    /// labels given one at a time, each followed by the next candidate.
    public static func syntheticRerank(n: Int, labels: Int, seed: UInt64 = 1) -> (build: Double, mean: Double, longest: Double, pool: Int) {
        var rng = Xoshiro256StarStar(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func gauss() -> Double { sqrt(-2 * log(max(uniform(), 1e-300))) * cos(2 * .pi * uniform()) }
        let clock = ContinuousClock()
        var scores: [ScoreRecord] = []
        scores.reserveCapacity(n)
        var latents: [[Float]] = []
        latents.reserveCapacity(n)
        for i in 0..<n {
            var pct: [ScoreName: Double] = [:]
            for name in ScoreName.allCases { pct[name] = 100 * uniform() }
            scores.append(ScoreRecord(model: "bench", targetid: TargetID(i), values: pct, percentiles: pct,
                                      localRestLambda: 1000 + 3000 * uniform(), localRestWidth: 30,
                                      localObsLambda: 3600 + 6000 * uniform(), localObsWidth: 30, explanation: [], neighbors: []))
            latents.append((0..<16).map { _ in Float(gauss()) })
        }
        var model: RelevanceModel!
        let build = clock.measure {
            let features = RelevanceFeatures(scores: scores, latent: { latents[$0] })
            model = RelevanceModel(features: features, anomalyPercentile: scores.map(\.scorePct))
        }
        var seen = Set<Int>()
        var total = 0.0, longest = 0.0, steps = 0
        for k in 0..<labels {
            guard let next = model.next(excluding: seen) else { break }
            seen.insert(next)
            let step = clock.measure {
                model.setRelevance(k % 3 == 0 ? 1 : -1, of: next)
                _ = model.next(excluding: seen)
            }.seconds
            total += step
            longest = max(longest, step)
            steps += 1
        }
        return (build.seconds, total / Double(max(steps, 1)), longest, model.pool.count)
    }
}
