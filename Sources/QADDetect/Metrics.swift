import Foundation
import QADCore

/// How well scores rank known anomalies, and how two scores agree. Larger
/// scores mean "more anomalous"; labels are true for anomalies.
///
/// NaN handling: a NaN anywhere in an input throws `LocatedError`
/// naming the input and the first bad row (a NaN has no place in an
/// ordering, and silently dropping rows would change the sample). ±∞ are
/// ordered as usual. Degenerate inputs (no positives, no negatives, a constant
/// variable in a correlation) also throw rather than return NaN.
public enum EvaluationMetrics {
    /// Area under the ROC curve, as the Mann–Whitney statistic: the chance that
    /// a random anomaly scores above a random normal object, ties counting ½
    /// (equal to scikit-learn's `roc_auc_score`).
    public static func rocAUC(scores: [Double], labels: [Bool]) throws -> Double {
        try check(scores, "scores", against: labels)
        let positives = labels.count(where: { $0 }), negatives = labels.count - positives
        try requireBothClasses(positives, negatives)
        let ranks = averageRanks(scores)
        var positiveRankSum = 0.0
        for i in 0..<scores.count where labels[i] { positiveRankSum += ranks[i] }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// ROC-AUC with the normal objects weighted to the anomalies' S/N
    /// distribution, so that a score that only follows S/N gets 0.5 (the
    /// S/N-matched AUC of survey2's metrics): `bins` bins at the quantiles
    /// of the anomalies' ln S/N; each normal object weighs its bin's share of
    /// anomalies over its bin's number of normal objects; the AUC is the mean
    /// over anomalies of the weighted share of normal objects below them,
    /// ties counting ½. Objects without a positive S/N are left out.
    public static func snrMatchedROCAUC(scores: [Double], labels: [Bool], snr: [Double], bins: Int = 10) throws -> Double {
        try check(scores, "scores", against: labels)
        guard snr.count == scores.count else {
            throw LocatedError(column: "snr", message: "\(snr.count) values for \(scores.count) scores")
        }
        let kept = scores.indices.filter { snr[$0].isFinite && snr[$0] > 0 }
        let positives = kept.filter { labels[$0] }, negatives = kept.filter { !labels[$0] }
        try requireBothClasses(positives.count, negatives.count)
        guard positives.count >= bins else {
            throw LocatedError(column: "labels", message: "\(positives.count) anomalies: fewer than the \(bins) S/N bins")
        }
        // Bin edges: NumPy's linear-interpolation quantiles of the anomalies' ln S/N.
        let logs = positives.map { log(snr[$0]) }.sorted()
        var edges = (0...bins).map { k -> Double in
            let h = Double(logs.count - 1) * Double(k) / Double(bins)
            let lo = Int(h.rounded(.down)), hi = min(lo + 1, logs.count - 1)
            return logs[lo] + (h - Double(lo)) * (logs[hi] - logs[lo])
        }
        edges[0] = -.infinity
        edges[bins] = .infinity
        func bin(_ i: Int) -> Int {
            let x = log(snr[i])
            // The last edge at or below x (searchsorted side "right", minus one), clipped.
            var b = 0
            while b + 1 < edges.count && edges[b + 1] <= x { b += 1 }
            return min(max(b, 0), bins - 1)
        }
        var positiveShare = [Double](repeating: 0, count: bins), negativeCount = [Double](repeating: 0, count: bins)
        for i in positives { positiveShare[bin(i)] += 1 / Double(positives.count) }
        for i in negatives { negativeCount[bin(i)] += 1 }
        let weighted = negatives.map { i -> (score: Double, weight: Double) in
            let b = bin(i)
            return (scores[i], negativeCount[b] > 0 ? positiveShare[b] / negativeCount[b] : 0)
        }.sorted { $0.score < $1.score }
        var cumulative = [0.0]
        for w in weighted { cumulative.append(cumulative.last! + w.weight) }
        let total = cumulative.last!
        guard total > 0 else { throw LocatedError(column: "snr", message: "no normal object shares an S/N bin with the anomalies") }
        func firstIndex(_ pred: (Double) -> Bool) -> Int {
            var lo = 0, hi = weighted.count
            while lo < hi { let m = (lo + hi) / 2; if pred(weighted[m].score) { hi = m } else { lo = m + 1 } }
            return lo
        }
        var sum = 0.0
        for i in positives {
            let below = cumulative[firstIndex { $0 >= scores[i] }], upTo = cumulative[firstIndex { $0 > scores[i] }]
            sum += (below + 0.5 * (upTo - below)) / total
        }
        return sum / Double(positives.count)
    }

    /// Average precision, scikit-learn's `average_precision_score`:
    /// Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds from high to low,
    /// where all objects with equal scores enter at the same threshold.
    public static func averagePrecision(scores: [Double], labels: [Bool]) throws -> Double {
        try check(scores, "scores", against: labels)
        let positives = labels.count(where: { $0 })
        guard positives > 0 else {
            throw LocatedError(column: "labels", message: "no positive (anomalous) labels: average precision is undefined")
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var truePositives = 0, seen = 0
        var previousRecall = 0.0, sum = 0.0
        var i = 0
        while i < order.count {
            let threshold = scores[order[i]]
            while i < order.count && scores[order[i]] == threshold {
                if labels[order[i]] { truePositives += 1 }
                seen += 1
                i += 1
            }
            let recall = Double(truePositives) / Double(positives)
            sum += (recall - previousRecall) * Double(truePositives) / Double(seen)
            previousRecall = recall
        }
        return sum
    }

    /// The number of objects in the top fraction f: ⌈f·n⌉, where f·n within
    /// 1e-9 of an integer counts as that integer (so 0.1 × 100 is 10, not 11).
    public static func topCount(fraction: Double, of n: Int) throws -> Int {
        guard fraction > 0, fraction <= 1 else {
            throw LocatedError(column: "fraction", message: "must be in (0, 1], got \(fraction)")
        }
        let x = fraction * Double(n)
        let nearest = x.rounded()
        return max(1, Int(abs(x - nearest) <= 1e-9 * max(1, x) ? nearest : x.rounded(.up)))
    }

    /// Each object's share of a place in the top ⌈f·n⌉ by score: 1 above the
    /// cut, 0 below, and for the objects tied at the cut score the places left
    /// divided evenly among them (the expectation over random tie-breaking,
    /// so the result never depends on the input order). Sums to ⌈f·n⌉.
    public static func topFractionWeights(scores: [Double], fraction: Double) throws -> [Double] {
        try check(scores, "scores")
        guard !scores.isEmpty else { throw LocatedError(column: "scores", message: "empty") }
        let m = try topCount(fraction: fraction, of: scores.count)
        let cut = scores.sorted(by: >)[m - 1]
        let above = scores.count(where: { $0 > cut }), tied = scores.count(where: { $0 == cut })
        let share = Double(m - above) / Double(tied)
        return scores.map { $0 > cut ? 1 : ($0 == cut ? share : 0) }
    }

    /// Precision and recall of the top ⌈f·n⌉ objects by score (ties at the cut
    /// shared as in `topFractionWeights`).
    public static func precisionRecallAtFraction(scores: [Double], labels: [Bool], fraction: Double) throws
        -> (precision: Double, recall: Double) {
        try check(scores, "scores", against: labels)
        let positives = labels.count(where: { $0 })
        guard positives > 0 else {
            throw LocatedError(column: "labels", message: "no positive (anomalous) labels: recall is undefined")
        }
        let weights = try topFractionWeights(scores: scores, fraction: fraction)
        var found = 0.0
        for i in 0..<labels.count where labels[i] { found += weights[i] }
        return (found / weights.reduce(0, +), found / Double(positives))
    }

    /// For each class (nil = a normal object, not counted), the fraction of its
    /// members in the top ⌈f·n⌉ by score (ties at the cut shared as in
    /// `topFractionWeights`).
    public static func recallByClass<Class: Hashable>(scores: [Double], classes: [Class?], fraction: Double) throws
        -> [Class: Double] {
        guard scores.count == classes.count else {
            throw LocatedError(column: "classes", message: "\(classes.count) classes for \(scores.count) scores")
        }
        let weights = try topFractionWeights(scores: scores, fraction: fraction)
        var found: [Class: Double] = [:], members: [Class: Int] = [:]
        for (i, c) in classes.enumerated() {
            guard let c else { continue }
            found[c, default: 0] += weights[i]
            members[c, default: 0] += 1
        }
        return found.reduce(into: [:]) { $0[$1.key] = $1.value / Double(members[$1.key]!) }
    }

    /// Spearman's rank correlation: Pearson's r of the average ranks (ties get
    /// the mean of the ranks they span), as `scipy.stats.spearmanr`.
    public static func spearman(_ x: [Double], _ y: [Double]) throws -> Double {
        try check(x, "x")
        try check(y, "y")
        guard x.count == y.count else {
            throw LocatedError(column: "y", message: "\(y.count) values against \(x.count) in x")
        }
        guard x.count >= 2 else { throw LocatedError(column: "x", message: "need at least 2 pairs, got \(x.count)") }
        let rx = averageRanks(x), ry = averageRanks(y)
        let mean = Double(x.count + 1) / 2  // every rank vector has this mean
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<x.count {
            let a = rx[i] - mean, b = ry[i] - mean
            sxy += a * b
            sxx += a * a
            syy += b * b
        }
        guard sxx > 0 else { throw LocatedError(column: "x", message: "constant: the correlation is undefined") }
        guard syy > 0 else { throw LocatedError(column: "y", message: "constant: the correlation is undefined") }
        return sxy / (sxx * syy).squareRoot()
    }

    /// 1-based ranks, ties given the average of the ranks they span
    /// (scipy's `rankdata(method='average')`).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2  // mean of i+1 … j+1
            for t in i...j { ranks[order[t]] = rank }
            i = j + 1
        }
        return ranks
    }

    private static func check(_ values: [Double], _ name: String, against labels: [Bool]? = nil) throws {
        if let bad = values.firstIndex(where: { $0.isNaN }) {
            throw LocatedError(column: name, message: "NaN at row \(bad)")
        }
        if let labels, labels.count != values.count {
            throw LocatedError(column: "labels", message: "\(labels.count) labels for \(values.count) \(name)")
        }
    }

    private static func requireBothClasses(_ positives: Int, _ negatives: Int) throws {
        guard positives > 0, negatives > 0 else {
            throw LocatedError(column: "labels",
                                      message: "ROC AUC needs both classes; got \(positives) positive and \(negatives) negative")
        }
    }
}
