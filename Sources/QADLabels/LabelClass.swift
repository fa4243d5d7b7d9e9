/// What a reviewer decided a candidate is. The raw values are stored in the
/// label history and written by export, so they never change.
public enum LabelClass: String, Sendable, Codable, CaseIterable, Hashable {
    case genuineAnomaly = "genuine_anomaly"
    case artifact
    /// A known phenomenon (sub-type: BAL, changing-look, …).
    case knownPhenomenon = "known_phenomenon"
    /// Not a quasar (sub-type: star, galaxy, …).
    case misclassified
    case wrongRedshift = "wrong_redshift"
    case notAnomalous = "not_anomalous"
    case unsure

    public var title: String {
        switch self {
        case .genuineAnomaly: return "Genuine anomaly"
        case .artifact: return "Artifact"
        case .knownPhenomenon: return "Known phenomenon"
        case .misclassified: return "Misclassified object"
        case .wrongRedshift: return "Wrong redshift"
        case .notAnomalous: return "Not anomalous"
        case .unsure: return "Unsure"
        }
    }

    /// Sub-types offered for this class (free text is accepted as well).
    public var suggestedSubtypes: [String] {
        switch self {
        case .knownPhenomenon:
            return ["BAL", "LoBAL", "FeLoBAL", "changing-look", "DLA", "strong absorber", "red/dusty", "lensed", "blazar", "other"]
        case .misclassified: return ["star", "white dwarf", "galaxy", "blend", "other"]
        case .artifact: return ["sky residual", "arm join", "cosmic ray", "fibre/CCD defect", "extraction", "other"]
        default: return []
        }
    }
}

/// How sure a reviewer is of a label.
public enum LabelConfidence: Int, Sendable, Codable, CaseIterable {
    case low = 1, medium = 2, high = 3

    public var title: String {
        switch self {
        case .low: return "low"
        case .medium: return "medium"
        case .high: return "high"
        }
    }
}
