import Foundation
import QADCore

/// The feature space reviewers' labels are generalized in (`RelevanceModel`,
/// `qad similar`): four blocks per spectrum, the latent and position
/// dimensions put on a robust unit scale over the whole scored sample, and
/// each block divided by the square root of its size, so that a block weighs
/// about as much in a distance however many dimensions it has.
///
/// - **scores**: how far each component score is into its upper tail,
///   max(0, Φ⁻¹(p) − Φ⁻¹(p₀)) for percentile p and tail start p₀ (which
///   score fired, and how strongly): a family of artefacts shares its
///   instrument scores, a family of BAL quasars its trough score. Scores
///   that did not fire are 0 rather than noise.
/// - **latent**: the model's latent means (the spectrum's shape), each
///   dimension as (x − median)/(1.4826·MAD), clipped at ±6; dimensions with
///   no spread are left out.
/// - **where:rest**, **where:obs**: log λ of the most significant localized
///   residual in the rest frame, and in the observed frame, on the same
///   robust scale: every residual at the 5577 Å sky line sits at one
///   observed λ whatever its redshift.
///
/// A missing value (a score a spectrum has no coverage for) is the block's
/// centre, 0: it neither pulls spectra together nor apart.
public struct RelevanceFeatures: Sendable {
    /// Row-major, `dimensions` values per spectrum.
    public let values: [Float]
    public let count: Int
    public let dimensions: Int
    /// What each dimension is ("score:lines", "latent:3", "where:obs").
    public let names: [String]
    /// The dimensions of each block: scores, latent (when there is one), where:rest, where:obs.
    public let blocks: [Range<Int>]
    /// Each block's weight (`Options`): its share in the relevance kernel.
    public let blockWeights: [Double]

    /// How the blocks are made and weighed (docs/relevance.md: how these were chosen).
    public struct Options: Sendable, Codable, Hashable {
        /// p₀: scores below this percentile (as a fraction) count 0; 0 uses Φ⁻¹(p) whole.
        public var scoreTail = 0.9
        /// Weights of the latent and where blocks against the scores block's 1.
        public var latentWeight = 1.0
        public var whereWeight = 1.0

        public init(scoreTail: Double = 0.9, latentWeight: Double = 1.0, whereWeight: Double = 1.0) {
            self.scoreTail = scoreTail
            self.latentWeight = latentWeight
            self.whereWeight = whereWeight
        }
    }

    /// The component scores the scores block uses: every component but the
    /// combined score itself.
    public static var scoreComponents: [ScoreName] { ScoreName.components }

    /// - Parameters:
    ///   - scores: one record per spectrum (percentiles 0–100).
    ///   - latent: spectrum i's latent means (the same length for all), or nil
    ///     when the model has none to give (the block is then left out).
    public init(scores: [ScoreRecord], latent: ((Int) -> [Float])?, options: Options = Options()) {
        let n = scores.count
        var columns: [[Double]] = []
        var names: [String] = []
        var blocks: [Range<Int>] = []

        // scores: the upper tail of Φ⁻¹ of the percentile, kept inside the sample's own range.
        let start = columns.count
        let tailStart = options.scoreTail > 0 ? normalQuantile(options.scoreTail) : nil
        for name in Self.scoreComponents {
            columns.append(scores.map { r in
                let p = r.percentile(name)
                guard p.isFinite else { return 0 }
                let g = Self.quantile(percentile: p, sampleSize: n)
                return tailStart.map { max(0, g - $0) } ?? g
            })
            names.append("score:" + name.rawValue)
        }
        blocks.append(start..<columns.count)

        if let latent, n > 0 {
            let start = columns.count
            let rows = (0..<n).map { latent($0) }
            for d in 0..<rows[0].count {
                let column = rows.map { Double($0[d]) }
                guard let scaled = Self.robustlyScaled(column) else { continue }
                columns.append(scaled)
                names.append("latent:\(d)")
            }
            if columns.count > start { blocks.append(start..<columns.count) }
        }

        // Rest and observed positions are blocks of their own: a family of
        // sky residuals shares its observed λ, a family of BAL troughs its rest λ.
        for (label, lambda) in [("where:rest", scores.map(\.localRestLambda)), ("where:obs", scores.map(\.localObsLambda))] {
            let logs = lambda.map { $0 > 0 && $0.isFinite ? log10($0) : Double.nan }
            if let scaled = Self.robustlyScaled(logs) {
                columns.append(scaled)
                names.append(label)
                blocks.append(columns.count - 1..<columns.count)
            }
        }

        var weight = [Double](repeating: 1, count: columns.count)
        let blockWeights = blocks.map { block -> Double in
            let name = names[block.lowerBound]
            return name.hasPrefix("latent:") ? options.latentWeight : name.hasPrefix("where:") ? options.whereWeight : 1
        }
        for (block, blockWeight) in zip(blocks, blockWeights) {
            for d in block { weight[d] = blockWeight / Double(block.count).squareRoot() }
        }
        let D = columns.count
        var values = [Float](repeating: 0, count: n * D)
        for d in 0..<D {
            for i in 0..<n { values[i * D + d] = Float(columns[d][i] * weight[d]) }
        }
        self.values = values
        self.count = n
        self.dimensions = D
        self.names = names
        self.blocks = blocks
        self.blockWeights = blockWeights
    }

    /// (x − median)/(1.4826·MAD) clipped at ±6, NaN → 0; nil when the finite
    /// values have no spread.
    static func robustlyScaled(_ x: [Double]) -> [Double]? {
        let finite = x.filter(\.isFinite)
        guard finite.count >= 2 else { return nil }
        let centre = median(finite)
        let spread = 1.4826 * median(finite.map { abs($0 - centre) })
        guard spread > 0 else { return nil }
        return x.map { $0.isFinite ? min(max(($0 - centre) / spread, -6), 6) : 0 }
    }

    /// Φ⁻¹ of a percentile (0–100) among `sampleSize` spectra, kept inside
    /// the sample's own range (half a rank from either end), so 0 and 100 stay finite.
    public static func quantile(percentile: Double, sampleSize n: Int) -> Double {
        let edge = 0.5 / Double(max(n, 1))
        return normalQuantile(min(max(percentile / 100, edge), 1 - edge))
    }

    /// Squared distance between spectra i and j over some dimensions.
    @inline(__always)
    public func distanceSquared(_ i: Int, _ j: Int, over dims: Range<Int>) -> Float {
        values.withUnsafeBufferPointer { v in
            var s: Float = 0
            let a = i * dimensions, b = j * dimensions
            for d in dims {
                let t = v[a + d] - v[b + d]
                s += t * t
            }
            return s
        }
    }
}
