import Foundation
import QADCore

/// How well one score separates the truth table's anomalies from the rest.
public struct ScoreQuality: Sendable, Codable, Equatable {
    public var score: String
    public var rocAUC: Double
    public var averagePrecision: Double
    /// Precision and recall among the top 0.5, 1 and 2 % of the sample.
    public var precisionAt: [String: Double]
    public var recallAt: [String: Double]
    /// Recall of each anomaly class among the top 1 %.
    public var recallByClassAt1: [String: Double]
    /// Spearman ρ of the score with S/N and with z among normal spectra.
    public var spearmanSNR: Double
    public var spearmanZ: Double
}

public struct EvaluationReport: Sendable, Codable {
    public var spectra: Int
    public var anomalies: Int
    public var anomaliesByClass: [String: Int]
    public var scores: [ScoreQuality]
}

public enum ScoreEvaluation {
    public static let fractions: [(String, Double)] = [("0.5%", 0.005), ("1%", 0.01), ("2%", 0.02)]

    /// Evaluates `scores[name]` (one value per spectrum) against `classes`
    /// (nil = normal) for every name given, in that order.
    public static func evaluate(scores: [(String, [Double])], classes: [String?], snr: [Double], z: [Double]) throws
        -> EvaluationReport {
        let labels = classes.map { $0 != nil }
        let anomalies = labels.filter { $0 }.count
        guard anomalies > 0, anomalies < labels.count else {
            throw LocatedError("the truth table marks \(anomalies) of the \(labels.count) scored spectra as anomalous; "
                                  + "evaluation needs both anomalies and normal spectra")
        }
        var byClass: [String: Int] = [:]
        for c in classes { if let c { byClass[c, default: 0] += 1 } }
        let normal = labels.indices.filter { !labels[$0] }
        var out: [ScoreQuality] = []
        for (name, values) in scores {
            guard values.count == labels.count else {
                throw LocatedError("score \(name): \(values.count) values for \(labels.count) spectra")
            }
            var precision: [String: Double] = [:], recall: [String: Double] = [:]
            for (label, f) in fractions {
                let pr = try EvaluationMetrics.precisionRecallAtFraction(scores: values, labels: labels, fraction: f)
                precision[label] = pr.precision
                recall[label] = pr.recall
            }
            out.append(ScoreQuality(
                score: name,
                rocAUC: try EvaluationMetrics.rocAUC(scores: values, labels: labels),
                averagePrecision: try EvaluationMetrics.averagePrecision(scores: values, labels: labels),
                precisionAt: precision, recallAt: recall,
                recallByClassAt1: try EvaluationMetrics.recallByClass(scores: values, classes: classes, fraction: 0.01),
                spearmanSNR: try EvaluationMetrics.spearman(normal.map { values[$0] }, normal.map { snr[$0] }),
                spearmanZ: try EvaluationMetrics.spearman(normal.map { values[$0] }, normal.map { z[$0] })))
        }
        return EvaluationReport(spectra: labels.count, anomalies: anomalies, anomaliesByClass: byClass, scores: out)
    }

    /// The report as an aligned text table, then recall per class for each score.
    public static func format(_ r: EvaluationReport) -> String {
        var s = "\(r.spectra) scored spectra, \(r.anomalies) anomalies ("
            + r.anomaliesByClass.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")\n"
        s += "score                   ROC-AUC  AP      P@0.5%  P@1%    P@2%    R@0.5%  R@1%    R@2%    rho(S/N) rho(z)\n"
        for q in r.scores {
            s += q.score.padding(toLength: 23, withPad: " ", startingAt: 0)
            let cells = [q.rocAUC, q.averagePrecision, q.precisionAt["0.5%"]!, q.precisionAt["1%"]!, q.precisionAt["2%"]!,
                         q.recallAt["0.5%"]!, q.recallAt["1%"]!, q.recallAt["2%"]!]
            s += cells.map { String(format: " %6.3f ", $0) }.joined()
            s += String(format: " %+7.3f  %+7.3f\n", q.spearmanSNR, q.spearmanZ)
        }
        let classNames = r.anomaliesByClass.keys.sorted()
        s += "\nrecall in the top 1% by class\n" + "score                  "
            + classNames.map { " " + String($0.prefix(12)).padding(toLength: 12, withPad: " ", startingAt: 0) }.joined() + "\n"
        for q in r.scores {
            s += q.score.padding(toLength: 23, withPad: " ", startingAt: 0)
            s += classNames.map { String(format: " %-12.2f", q.recallByClassAt1[$0] ?? 0) }.joined() + "\n"
        }
        return s
    }
}
