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
    case score
}
