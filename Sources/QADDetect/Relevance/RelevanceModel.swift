import Foundation
import QADCore

/// How labels re-rank the anomaly ranking (`RelevanceModel`). docs/relevance.md
/// gives the rule and the figures these defaults were chosen by.
public struct RelevanceSettings: Sendable, Codable, Equatable {
    /// λ: how far a confident relevance of ±1 moves a candidate, in units of
    /// the anomaly score's normal quantile (3: from the top 7 % to the top 0.02 %).
    public var weight = 3.0
    /// κ: the bonus of a candidate no labelled spectrum is near, so that
    /// unexplored parts of feature space keep their place in the queue.
    public var exploration = 0.5
    /// m: how much labelled-neighbour weight it takes to outweigh the global
    /// model (and, for exploration, to count a region as explored).
    public var priorCount = 1.0
    /// k: a labelled spectrum's kernel width is the distance to its k-th
    /// nearest neighbour in the pool, so its "family" is about k spectra
    /// wherever it sits, dense or sparse.
    public var familySize = 10
    /// Whether a global logistic model of relevance on the features is the
    /// prior that labelled neighbours refine (otherwise the prior is 0).
    public var globalModel = true
    /// Prior precision of the global model's coefficients (features are on unit scales).
    public var ridge = 1.0
    /// The pool re-ranked: the top max(poolMinimum, poolFraction·n) by anomaly score.
    public var poolFraction = 0.05
    public var poolMinimum = 2000
    /// How the feature space is built.
    public var features = RelevanceFeatures.Options()
    /// How a labelled spectrum's kernel spans the feature blocks.
    public var kernel = Kernel.additive

    public enum Kernel: String, Sendable, Codable, CaseIterable {
        /// One Gaussian over all blocks: near means near in every block.
        case product
        /// The mean of one Gaussian per block (each with its own width): a
        /// family of artefacts shares its scores and where the residual sits
        /// but not its quasar shape, a family of BAL quasars its shape and
        /// its scores; either is near.
        case additive
    }

    public init() {}

    /// How many of `n` spectra the pool holds.
    public func poolSize(of n: Int) -> Int { min(n, max(poolMinimum, Int((poolFraction * Double(n)).rounded(.up)))) }
}

/// Why a candidate sits where it does in the relevance-ranked queue.
public struct RelevanceExplanation: Sendable, Equatable {
    /// g: the normal quantile of the candidate's anomaly percentile.
    public var anomaly: Double
    /// r̂ in [−1, 1]: predicted relevance from the labels.
    public var relevance: Double
    /// The global model's relevance (the prior r̂ starts from).
    public var prior: Double
    /// e in (0, 1]: 1 when no labelled spectrum is near.
    public var novelty: Double
    /// g + λ·r̂ + κ·e: the queue's order.
    public var key: Double
    /// The labelled spectra that weigh most in r̂: feature index, kernel weight, relevance.
    public var neighbours: [(index: Int, weight: Double, relevance: Double)]

    public static func == (a: Self, b: Self) -> Bool {
        a.anomaly == b.anomaly && a.relevance == b.relevance && a.prior == b.prior && a.novelty == b.novelty
            && a.key == b.key && a.neighbours.map(\.index) == b.neighbours.map(\.index)
            && a.neighbours.map(\.weight) == b.neighbours.map(\.weight)
    }
}

/// A relevance model learned from reviewers' labels, and the queue order it gives.
///
/// Each labelled spectrum i (relevance yᵢ in [−1, 1], from its label class)
/// spreads a kernel over feature space (`RelevanceFeatures`): by default the
/// mean over the feature blocks b of exp(−½ dᵢᵦ(x)²/hᵢᵦ²), hᵢᵦ the distance
/// in block b to its k-th nearest pool neighbour there (`Kernel`).
/// A candidate x gets
///
///     r̂(x) = (Σ wᵢ(x) yᵢ + m·μ(x)) / (Σ wᵢ(x) + m)     predicted relevance
///     e(x) = m / (Σ wᵢ(x) + m)                           novelty
///     key(x) = g(x) + λ·r̂(x) + κ·e(x)
///
/// where μ(x) = 2σ(βᵀx + b) − 1 − (its median over the pool) is a
/// ridge-regularized logistic model of the labels over the features (the
/// global trend: "an arm-step score that fired means an artefact") relative
/// to the typical candidate, which the labelled neighbours refine locally, and
/// g(x) = Φ⁻¹ of the anomaly score's percentile. With no labels, r̂ = 0 and
/// e = 1 for everyone: the queue is the anomaly ranking.
///
/// A new label costs one pass over the pool (its kernel) and a refit of the
/// global model on the labels alone, so re-ranking stays far under a second
/// for a pool of 10⁵ candidates.
public final class RelevanceModel {
    public let features: RelevanceFeatures
    public let settings: RelevanceSettings
    /// Feature indices of the pool, highest anomaly first.
    public let pool: [Int]
    /// g of each pool member.
    public let anomaly: [Double]

    /// The current label of each labelled feature index: relevance and kernel width per part.
    private var labelled: [Int: (relevance: Double, width: [Double])] = [:]
    /// The dimensions each kernel part spans, and its share of the kernel (summing to 1).
    private let parts: [Range<Int>]
    private let partWeights: [Double]
    /// Σ wᵢ yᵢ and Σ wᵢ at each pool member.
    private var weightedRelevance: [Double]
    private var weightTotal: [Double]
    private var prior: [Double]
    /// The global model's coefficients, one per feature, then the intercept (empty before any label).
    public private(set) var priorCoefficients: [Double] = []
    private var positionInPool: [Int: Int] = [:]

    /// - Parameters:
    ///   - features: every scored spectrum's features.
    ///   - anomalyPercentile: each spectrum's combined-score percentile (0–100).
    ///   - eligible: the spectra the queue may show (a filtered selection); all when nil.
    public init(features: RelevanceFeatures, anomalyPercentile: [Double], eligible: [Int]? = nil,
                settings: RelevanceSettings = RelevanceSettings()) {
        precondition(anomalyPercentile.count == features.count)
        self.features = features
        self.settings = settings
        let candidates = eligible ?? Array(0..<features.count)
        let ranked = candidates.sorted {
            anomalyPercentile[$0] != anomalyPercentile[$1] ? anomalyPercentile[$0] > anomalyPercentile[$1] : $0 < $1
        }
        pool = Array(ranked.prefix(settings.poolSize(of: candidates.count)))
        anomaly = pool.map { RelevanceFeatures.quantile(percentile: anomalyPercentile[$0], sampleSize: features.count) }
        weightedRelevance = [Double](repeating: 0, count: pool.count)
        weightTotal = weightedRelevance
        prior = weightedRelevance
        for (p, i) in pool.enumerated() { positionInPool[i] = p }
        if settings.kernel == .product || features.blocks.isEmpty {
            parts = [0..<features.dimensions]
            partWeights = [1]
        } else {
            let used = zip(features.blocks, features.blockWeights).filter { $0.1 > 0 }
            let total = used.reduce(0) { $0 + $1.1 }
            parts = used.map(\.0)
            partWeights = used.map { $0.1 / total }
        }
    }

    public var labelCount: Int { labelled.count }

    /// Sets (or, with nil, withdraws) the relevance of spectrum `index`; a new
    /// label of the same spectrum replaces its earlier one.
    public func setRelevance(_ relevance: Double?, of index: Int) {
        setRelevances([(index, relevance)])
    }

    /// Sets (nil: withdraws) many labels at once, with one refit.
    public func setRelevances(_ values: [(index: Int, relevance: Double?)]) {
        for (index, value) in values {
            if let old = labelled.removeValue(forKey: index) { spread(index, old.relevance, old.width, sign: -1) }
            guard let value else { continue }
            let y = min(max(value, -1), 1)
            let width = kernelWidth(of: index)
            labelled[index] = (y, width)
            spread(index, y, width, sign: 1)
        }
        refitPrior()
    }

    /// Per kernel part, the distance from spectrum `index` to its k-th nearest pool member (itself left out).
    private func kernelWidth(of index: Int) -> [Double] {
        let k = max(settings.familySize, 1)
        return parts.map { dims in
            var nearest = [Float](repeating: .infinity, count: k)   // ascending
            for j in pool where j != index {
                let d = features.distanceSquared(index, j, over: dims)
                if d < nearest[k - 1] {
                    var p = k - 1
                    while p > 0 && nearest[p - 1] > d { nearest[p] = nearest[p - 1]; p -= 1 }
                    nearest[p] = d
                }
            }
            let kth = nearest.last(where: { $0.isFinite }) ?? 1
            // Coincident spectra (duplicates) must not make a zero-width kernel.
            return max(Double(kth).squareRoot(), 1e-3)
        }
    }

    /// The kernel of a label with these widths at spectrum j.
    @inline(__always)
    private func kernel(_ index: Int, _ j: Int, _ width: [Double]) -> Double {
        var w = 0.0
        for (b, dims) in parts.enumerated() {
            w += partWeights[b] * exp(-0.5 * Double(features.distanceSquared(index, j, over: dims)) / (width[b] * width[b]))
        }
        return w
    }

    private func spread(_ index: Int, _ y: Double, _ width: [Double], sign: Double) {
        for (p, j) in pool.enumerated() {
            let w = kernel(index, j, width)
            guard w > 1e-12 else { continue }
            weightedRelevance[p] += sign * w * y
            weightTotal[p] += sign * w
        }
    }

    /// Refits the global logistic model on the current labels (Newton's method
    /// on the ridge-penalized log-likelihood, intercept penalized too so that
    /// one-sided labels give a finite prior).
    private func refitPrior() {
        guard settings.globalModel, !labelled.isEmpty else {
            prior = [Double](repeating: 0, count: pool.count)
            priorCoefficients = []
            return
        }
        let D = features.dimensions + 1
        let items = labelled.sorted { $0.key < $1.key }
        let x: [[Double]] = items.map { item in
            (0..<features.dimensions).map { Double(features.values[item.key * features.dimensions + $0]) } + [1]
        }
        let t = items.map { ($0.value.relevance + 1) / 2 }
        var beta = [Double](repeating: 0, count: D)
        for _ in 0..<25 {
            var gradient = beta.map { -settings.ridge * $0 }
            var hessian = [Double](repeating: 0, count: D * D)
            for d in 0..<D { hessian[d * D + d] = settings.ridge }
            for (row, target) in zip(x, t) {
                let p = Self.sigmoid(zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 })
                let w = p * (1 - p)
                for a in 0..<D {
                    gradient[a] += (target - p) * row[a]
                    let wa = w * row[a]
                    for b in 0...a { hessian[a * D + b] += wa * row[b] }
                }
            }
            for a in 0..<D { for b in 0..<a { hessian[b * D + a] = hessian[a * D + b] } }
            guard let step = SmallLinearSystem.solve(hessian, gradient, D)?.solution else { break }
            for d in 0..<D { beta[d] += step[d] }
            if step.reduce(0, { max($0, abs($1)) }) < 1e-8 { break }
        }
        priorCoefficients = beta
        let raw = pool.map { i in
            var s = beta[D - 1]
            for d in 0..<features.dimensions { s += beta[d] * Double(features.values[i * features.dimensions + d]) }
            return 2 * Self.sigmoid(s) - 1
        }
        // Relative to the typical candidate: early labels are mostly "not
        // anomalous", and a base rate that moved every unlabelled candidate
        // alike would only blunt the labelled families' own pull.
        let typical = raw.isEmpty ? 0 : median(raw)  // an empty selection has no pool
        prior = raw.map { min(max($0 - typical, -1), 1) }
    }

    static func sigmoid(_ s: Double) -> Double { s >= 0 ? 1 / (1 + exp(-s)) : exp(s) / (1 + exp(s)) }

    /// r̂, e and the key of pool member `p`.
    private func keyParts(_ p: Int) -> (relevance: Double, novelty: Double, key: Double) {
        let m = settings.priorCount
        let total = max(weightTotal[p], 0)
        let r = (weightedRelevance[p] + m * prior[p]) / (total + m)
        let e = m / (total + m)
        return (r, e, anomaly[p] + settings.weight * r + settings.exploration * e)
    }

    /// Queue keys of the pool, in pool order.
    public var keys: [Double] { (0..<pool.count).map { keyParts($0).key } }

    /// Pool members (feature indices) by descending key, ties by anomaly then
    /// index, leaving out `excluded` (e.g. what this reviewer already labelled).
    public func ranking(excluding excluded: Set<Int> = []) -> [Int] {
        let k = keys
        return (0..<pool.count).filter { !excluded.contains(pool[$0]) }
            .sorted { k[$0] != k[$1] ? k[$0] > k[$1] : $0 < $1 }
            .map { pool[$0] }
    }

    /// The best-keyed pool member not in `excluded`: the queue's next candidate.
    public func next(excluding excluded: Set<Int>) -> Int? {
        var best: (p: Int, key: Double)?
        for p in 0..<pool.count where !excluded.contains(pool[p]) {
            let key = keyParts(p).key
            if best == nil || key > best!.key { best = (p, key) }
        }
        return best.map { pool[$0.p] }
    }

    /// The kernel a label on spectrum `index` would spread, at every pool
    /// member (itself left out): the pool by similarity to it, most similar first.
    public func similar(to index: Int) -> [(index: Int, similarity: Double)] {
        let width = kernelWidth(of: index)
        return pool.filter { $0 != index }.map { ($0, kernel(index, $0, width)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    /// Why pool member `index` (a feature index) is where it is; nil outside the pool.
    public func explain(_ index: Int, neighbours shown: Int = 3) -> RelevanceExplanation? {
        guard let p = positionInPool[index] else { return nil }
        let (r, e, key) = keyParts(p)
        // The labelled neighbours cost a kernel per label: only when some are to be shown.
        let weights = shown <= 0 ? [] : labelled.map { (i, label) -> (index: Int, weight: Double, relevance: Double) in
            (i, kernel(i, index, label.width), label.relevance)
        }
        let top = weights.filter { $0.weight > 1e-6 }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.index < $1.index }
        return RelevanceExplanation(anomaly: anomaly[p], relevance: r, prior: prior[p], novelty: e, key: key,
                                    neighbours: Array(top.prefix(max(shown, 0))))
    }
}
