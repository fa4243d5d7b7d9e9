import Foundation
import QADCore
import QADDetect
import QADLabels

/// What a simulated review session found (`qad evaluate --simulate-reviewer`).
public struct ReviewReplayResult: Sendable {
    public var persona: String
    public var reviewed: Int
    /// Interesting spectra (by the persona's roles) in the whole selection.
    public var interestingTotal: Int
    /// Spectra in the selection.
    public var sampleSize: Int
    /// Interesting spectra found after each review, with re-ranking (index n−1: after n).
    public var adaptive: [Int]
    /// The same for the static anomaly ranking.
    public var staticRanking: [Int]
    /// Interesting spectra each class contributed among the first `classWindow` reviewed.
    public var classWindow: Int
    public var adaptiveByClass: [String: Int]
    public var staticByClass: [String: Int]
    /// Interesting spectra of each class in the selection.
    public var interestingByClass: [String: Int]
    /// Classes the role table does not name (counted as genuine anomalies).
    public var unnamedClasses: [String]
    /// The mean and longest re-rank (a label in, the next candidate out), seconds.
    public var meanStep: Double
    public var longestStep: Double

    /// Expected count for random order after n reviewed: n·I/N.
    public func randomExpected(after n: Int) -> Double {
        Double(min(n, sampleSize)) * Double(interestingTotal) / Double(max(sampleSize, 1))
    }

    public func found(_ curve: [Int], after n: Int) -> Int { curve.isEmpty ? 0 : curve[min(n, curve.count) - 1] }
}

/// Replays a review session: the reviewer takes the queue's first candidate,
/// labels it from the truth table as the persona would (what the spectrum
/// is), the label's relevance under the persona's map goes into the model,
/// and the queue re-ranks. Only the labels reach the model; the truth table
/// is never shown to it.
public enum ReviewReplay {
    /// - Parameters:
    ///   - truthClass: each feature index's truth class (nil = normal).
    ///   - eligible: the selection (all when nil).
    public static func run(features: RelevanceFeatures, anomalyPercentile: [Double], truthClass: [String?],
                           persona: ReviewerPersona, reviewed: Int, settings: RelevanceSettings = RelevanceSettings(),
                           eligible: [Int]? = nil, classWindow: Int = 100) -> ReviewReplayResult {
        let selection = eligible ?? Array(0..<features.count)
        let model = RelevanceModel(features: features, anomalyPercentile: anomalyPercentile, eligible: selection,
                                   settings: settings)
        let n = min(reviewed, model.pool.count)
        var seen = Set<Int>()
        var adaptive: [Int] = [], staticCurve: [Int] = []
        var adaptiveByClass: [String: Int] = [:], staticByClass: [String: Int] = [:]
        var found = 0
        let clock = ContinuousClock()
        var longest = Duration.zero, total = Duration.zero
        var upcoming = model.next(excluding: seen)
        for step in 0..<n {
            guard let i = upcoming else { break }
            seen.insert(i)
            let truth = truthClass[i]
            if persona.isInteresting(truth) {
                found += 1
                if step < classWindow { adaptiveByClass[truth ?? "", default: 0] += 1 }
            }
            adaptive.append(found)
            let took = clock.measure {
                model.setRelevance(persona.map.relevance(of: ReviewerPersona.label(of: truth)), of: i)
                upcoming = model.next(excluding: seen)
            }
            longest = max(longest, took)
            total += took
        }
        found = 0
        for (step, i) in model.pool.prefix(n).enumerated() {
            if persona.isInteresting(truthClass[i]) {
                found += 1
                if step < classWindow { staticByClass[truthClass[i] ?? "", default: 0] += 1 }
            }
            staticCurve.append(found)
        }
        var interestingByClass: [String: Int] = [:]
        var unnamed = Set<String>()
        for i in selection {
            guard let c = truthClass[i] else { continue }
            if !ReviewerPersona.isKnown(c) { unnamed.insert(c) }
            if persona.isInteresting(c) { interestingByClass[c, default: 0] += 1 }
        }
        return ReviewReplayResult(persona: persona.name, reviewed: n,
                                  interestingTotal: interestingByClass.values.reduce(0, +), sampleSize: selection.count,
                                  adaptive: adaptive, staticRanking: staticCurve, classWindow: classWindow,
                                  adaptiveByClass: adaptiveByClass, staticByClass: staticByClass,
                                  interestingByClass: interestingByClass, unnamedClasses: unnamed.sorted(),
                                  meanStep: total.seconds / Double(max(adaptive.count, 1)), longestStep: longest.seconds)
    }

    /// The printed report: found after 50, 100, 200, 500 (and each class within the window).
    public static func report(_ r: ReviewReplayResult, checkpoints: [Int] = [50, 100, 200, 300, 500]) -> String {
        var text = "simulated reviewer '\(r.persona)': \(r.interestingTotal) interesting of \(r.sampleSize) spectra; "
            + "\(r.reviewed) reviewed\n"
        if !r.unnamedClasses.isEmpty {
            text += "classes the role table does not name, counted as genuine anomalies: "
                + r.unnamedClasses.joined(separator: ", ") + "\n"
        }
        let marks = checkpoints.filter { $0 <= r.reviewed }
        text += "reviewed".padding(toLength: 22, withPad: " ", startingAt: 0)
            + marks.map { String($0).leftPadded(8) }.joined() + "\n"
        func line(_ name: String, _ values: [String]) -> String {
            name.padding(toLength: 22, withPad: " ", startingAt: 0) + values.map { $0.leftPadded(8) }.joined() + "\n"
        }
        text += line("re-ranked by labels", marks.map { String(r.found(r.adaptive, after: $0)) })
        text += line("static ranking", marks.map { String(r.found(r.staticRanking, after: $0)) })
        text += line("random order", marks.map { String(format: "%.1f", r.randomExpected(after: $0)) })
        text += line("re-ranked / static", marks.map { m in
            let s = r.found(r.staticRanking, after: m)
            return s == 0 ? "-" : String(format: "%.2f", Double(r.found(r.adaptive, after: m)) / Double(s))
        })
        text += line("share of all found", marks.map { m in
            r.interestingTotal == 0 ? "-" : String(format: "%.2f", Double(r.found(r.adaptive, after: m)) / Double(r.interestingTotal))
        })
        text += "interesting by class in the first \(r.classWindow) (re-ranked / static / in the selection):\n"
        for c in r.interestingByClass.keys.sorted() {
            text += "  " + c.padding(toLength: 20, withPad: " ", startingAt: 0)
                + "\(r.adaptiveByClass[c] ?? 0) / \(r.staticByClass[c] ?? 0) / \(r.interestingByClass[c]!)\n"
        }
        return text
    }
}

extension Duration {
    /// In seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
