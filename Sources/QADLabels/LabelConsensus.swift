import QADCore

/// Agreement of the reviewers on one target, from their current labels.
public struct LabelConsensus: Sendable, Equatable {
    public var targetid: TargetID
    /// The plurality class; `.unsure` when the top classes tie.
    public var label: LabelClass
    /// Reviewers with a current label of this target.
    public var reviewers: Int
    /// Share of reviewers who chose the plurality class (1 when all agree; for
    /// a tie, the tied classes' share).
    public var agreement: Double
    public var counts: [LabelClass: Int]
    /// Whether the top classes tied.
    public var tied: Bool

    /// The consensus of one target's current labels (one per reviewer).
    public init(targetid: TargetID, labels: [LabelClass]) {
        precondition(!labels.isEmpty, "consensus of no labels")
        self.targetid = targetid
        var counts: [LabelClass: Int] = [:]
        for l in labels { counts[l, default: 0] += 1 }
        let top = counts.values.max()!
        let leaders = LabelClass.allCases.filter { counts[$0] == top }
        self.counts = counts
        reviewers = labels.count
        tied = leaders.count > 1
        label = tied ? .unsure : leaders[0]
        agreement = Double(top) / Double(labels.count)
    }
}

/// Agreement over the whole sample.
public struct AgreementSummary: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public var first: String
        public var second: String
        /// Targets both reviewers labelled.
        public var common: Int
        /// Observed agreement on the common targets.
        public var observed: Double
        /// Cohen's κ; nil when chance agreement is 1 (both always chose one class).
        public var kappa: Double?
    }

    /// Targets with at least two reviewers.
    public var multiplyReviewed: Int
    /// Mean agreement fraction over those targets.
    public var meanAgreement: Double?
    public var pairs: [Pair]
}

public enum Agreement {
    /// Cohen's κ of two raters over the same items: (pₒ − pₑ)/(1 − pₑ), with pₑ
    /// from each rater's own class frequencies. nil for no items, or when pₑ = 1.
    public static func cohenKappa(_ a: [LabelClass], _ b: [LabelClass]) -> (observed: Double, kappa: Double?)? {
        precondition(a.count == b.count)
        guard !a.isEmpty else { return nil }
        let n = Double(a.count)
        let observed = Double(zip(a, b).filter { $0 == $1 }.count) / n
        var ca: [LabelClass: Int] = [:], cb: [LabelClass: Int] = [:]
        for x in a { ca[x, default: 0] += 1 }
        for x in b { cb[x, default: 0] += 1 }
        let expected = LabelClass.allCases.reduce(0.0) { $0 + Double(ca[$1] ?? 0) / n * Double(cb[$1] ?? 0) / n }
        guard expected < 1 - 1e-12 else { return (observed, nil) }
        return (observed, (observed - expected) / (1 - expected))
    }

    /// Per-target consensus and pairwise κ from current labels.
    public static func summarize(_ labels: [CurrentLabel], reviewerNames: [Int64: String]) -> AgreementSummary {
        var byTarget: [TargetID: [LabelClass]] = [:]
        var byReviewer: [Int64: [TargetID: LabelClass]] = [:]
        for l in labels {
            byTarget[l.targetid, default: []].append(l.labelClass)
            byReviewer[l.reviewerId, default: [:]][l.targetid] = l.labelClass
        }
        let multi = byTarget.filter { $0.value.count >= 2 }
        // In target order: a sum in dictionary order differs in the last digit from store to store.
        let agreements = multi.sorted { $0.key < $1.key }.map { LabelConsensus(targetid: $0.key, labels: $0.value).agreement }
        var pairs: [AgreementSummary.Pair] = []
        let ids = byReviewer.keys.sorted()
        for (i, r1) in ids.enumerated() {
            for r2 in ids[(i + 1)...] {
                let m1 = byReviewer[r1]!, m2 = byReviewer[r2]!
                let common = m1.keys.filter { m2[$0] != nil }.sorted()
                guard let k = cohenKappa(common.map { m1[$0]! }, common.map { m2[$0]! }) else { continue }
                pairs.append(.init(first: reviewerNames[r1] ?? "#\(r1)", second: reviewerNames[r2] ?? "#\(r2)",
                                   common: common.count, observed: k.observed, kappa: k.kappa))
            }
        }
        return AgreementSummary(multiplyReviewed: multi.count,
                                meanAgreement: agreements.isEmpty ? nil : agreements.reduce(0, +) / Double(agreements.count),
                                pairs: pairs)
    }
}
