/// The per-spectrum scores `qad score` writes, by their store/CSV names.
/// Larger always means more anomalous.
public enum ScoreName: String, CaseIterable, Sendable, Codable {
    case reconChi2 = "recon_chi2"
    case reconMse = "recon_mse"
    case kl
    case iforest
    case knn
    case localRest = "local_rest"
    case localObs = "local_obs"
    case colour
    case lines
    case armJoinStep = "arm_join_step"
    case skyLines = "sky_lines"
    case balTrough = "bal_trough"
    case score

    /// The columns the first score schema ("v3: scores") created; later
    /// scores are added by their own migrations, so that migration never changes.
    public static let firstSchema: [ScoreName] = [.reconChi2, .reconMse, .kl, .iforest, .knn, .localRest, .localObs, .score]
    /// Added by "v5: colour and line-strength scores".
    public static let shapeScores: [ScoreName] = [.colour, .lines]
    /// Added by "v6: arm-step, sky-line and BAL-trough scores".
    public static let targetedScores: [ScoreName] = [.armJoinStep, .skyLines, .balTrough]

    /// Store column of the score's percentile over the scored sample (0–100).
    public var percentileColumn: String { rawValue + "_pct" }

    /// One line for `--help` and export column descriptions.
    public var summary: String {
        switch self {
        case .reconChi2: return "reconstruction chi2 per covered bin"
        case .reconMse: return "mean squared reconstruction residual (normalized flux units)"
        case .kl: return "KL divergence of the latent posterior from the prior"
        case .iforest: return "Isolation Forest anomaly score of the latent vector (0-1)"
        case .knn: return "distance to the k-th nearest latent neighbour"
        case .localRest: return "most significant localized residual, rest frame (sigma)"
        case .localObs: return "most significant localized residual, observed frame (sigma)"
        case .colour: return "continuum slope against quasars of the same z, |deviation| (sigma)"
        case .lines: return "emission-line strength against quasars of the same z, |deviation| (sigma)"
        case .armJoinStep: return "flux step across a spectrograph arm join (sigma)"
        case .skyLines: return "same-sign residuals at the bright sky lines (sigma)"
        case .balTrough: return "absorption at matching outflow velocities blueward of CIV, SiIV, AlIII, MgII (sigma)"
        case .score: return "combined score, calibrated along S/N and z (sigma)"
        }
    }
}
