import QADCore

/// The per-spectrum scores `qad score` writes, by their store/CSV names.
/// Larger always means more anomalous.
///
/// Everything else about a score derives from its case here and its
/// `definition`: the store's columns and migration, the combined score's
/// scale, `qad rank`'s table, export's columns and descriptions, the review
/// page. A new score is a case, a definition, its scorer, and one line in
/// `ScoreEngine` (docs/design-notes.md, "Adding a score").
public enum ScoreName: String, CaseIterable, Sendable, Codable {
    case reconChi2 = "recon_chi2"
    case reconMse = "recon_mse"
    case kl
    case iforest
    case knn
    case lof
    case localRest = "local_rest"
    case localObs = "local_obs"
    case colour
    case lines
    case armJoinStep = "arm_join_step"
    case skyLines = "sky_lines"
    case balTrough = "bal_trough"
    case lyaForest = "lya_forest"
    case obsShape = "obs_shape"
    case score

    /// Store column of the score's percentile over the scored sample (0–100).
    public var percentileColumn: String { rawValue + "_pct" }

    public var summary: String { definition.summary }

    public var definition: ScoreDefinition {
        switch self {
        case .reconChi2:
            return .init("reconstruction chi2 per covered bin", logScale: true, rankDigits: 3)
        case .reconMse:
            return .init("mean squared reconstruction residual (normalized flux units)", logScale: true, rankDigits: nil)
        case .kl:
            return .init("KL divergence of the latent posterior from the prior", logScale: true, rankDigits: 2)
        case .iforest:
            return .init("Isolation Forest anomaly score of the latent vector (0-1)", rankDigits: 4)
        case .knn:
            return .init("distance to the k-th nearest latent neighbour", logScale: true, rankDigits: 3)
        case .lof:
            return .init("local outlier factor of the latent vector (1: as dense as its neighbours)", logScale: true,
                         rankDigits: 3, addedBy: "score column: lof")
        case .localRest:
            return .init("most significant localized residual, rest frame (sigma)", rankDigits: 2)
        case .localObs:
            return .init("most significant localized residual, observed frame (sigma)", rankDigits: 2)
        case .colour:
            return .init("continuum slope against quasars of the same z, |deviation| (sigma)", rankDigits: 2,
                         addedBy: SchemaHistory.shapeScores)
        case .lines:
            return .init("emission-line strength against quasars of the same z, |deviation| (sigma)", rankDigits: 2,
                         addedBy: SchemaHistory.shapeScores)
        case .armJoinStep:
            return .init("flux step across a spectrograph arm join (sigma)", rankDigits: 2,
                         addedBy: SchemaHistory.targetedScores)
        case .skyLines:
            return .init("same-sign residuals at the bright sky lines (sigma)", rankDigits: 2,
                         addedBy: SchemaHistory.targetedScores)
        case .balTrough:
            return .init("absorption at matching outflow velocities blueward of CIV, SiIV, AlIII, MgII (sigma)",
                         rankDigits: 2, addedBy: SchemaHistory.targetedScores)
        case .lyaForest:
            return .init("Lya forest's mean and scatter about the model against quasars of the same z (sigma)",
                         rankDigits: 2, addedBy: "score column: lya_forest")
        case .obsShape:
            return .init("smooth departure from the model across the observed range (chi2/dof of 8 band ratios)",
                         logScale: true, rankDigits: 2, addedBy: "score column: obs_shape")
        case .score:
            return .init("combined score, calibrated along S/N and z (sigma)", rankDigits: 3)
        }
    }

    /// The component scores (every score but the combined one), in column order.
    public static var components: [ScoreName] { allCases.filter { $0 != .score } }

    /// Schema steps that add score columns after the fixed history, in order:
    /// a score added later names its own step (`ScoreDefinition.addedBy`).
    public static var addedSchemaSteps: [String] {
        var steps: [String] = []
        for name in allCases {
            if let step = name.definition.addedBy, !SchemaHistory.ordered.contains(step), !steps.contains(step) {
                steps.append(step)
            }
        }
        return steps
    }
}

/// What qad says about one score wherever it shows it.
public struct ScoreDefinition: Sendable {
    /// One line for `--help`, export column descriptions and the review page.
    public var summary: String
    /// Standardized on a log scale (χ², KL and distances are positive and skewed).
    public var logScale: Bool
    /// Decimals in `qad rank`'s table and CSV; nil leaves the score out of them.
    public var rankDigits: Int?
    /// The schema step that added the score's columns to the score table; nil
    /// for the scores the table was created with ("v3: scores"). A new score
    /// names a new step, e.g. "score column: NAME".
    public var addedBy: String?

    public init(_ summary: String, logScale: Bool = false, rankDigits: Int?, addedBy: String? = nil) {
        self.summary = summary
        self.logScale = logScale
        self.rankDigits = rankDigits
        self.addedBy = addedBy
    }
}
