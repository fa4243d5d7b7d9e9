import QADCore

/// What each label class says about a team's interest: +1 "more like this",
/// −1 "less like this", 0 no opinion. Labels stay what the spectrum is; the
/// map is the team's, because an instrument team wants exactly what a
/// quasar-physics team calls an artefact.
public struct RelevanceMap: Sendable, Equatable, CustomStringConvertible {
    public private(set) var values: [LabelClass: Double]

    public init(_ values: [LabelClass: Double]) {
        var all: [LabelClass: Double] = [:]
        for c in LabelClass.allCases { all[c] = min(max(values[c] ?? 0, -1), 1) }
        self.values = all
    }

    public func relevance(of label: LabelClass) -> Double { values[label] ?? 0 }

    /// Quasar physics: genuine anomalies and known phenomena are wanted;
    /// artefacts, misclassified objects, wrong redshifts and normal spectra are not.
    public static let physics = RelevanceMap([
        .genuineAnomaly: 1, .knownPhenomenon: 1, .artifact: -1, .misclassified: -1, .wrongRedshift: -1,
        .notAnomalous: -1, .unsure: 0,
    ])

    /// Instrument and pipeline work: artefacts, misclassified objects and
    /// wrong redshifts are wanted; physics and normal spectra are not.
    public static let instrument = RelevanceMap([
        .genuineAnomaly: -1, .knownPhenomenon: -1, .artifact: 1, .misclassified: 1, .wrongRedshift: 1,
        .notAnomalous: -1, .unsure: 0,
    ])

    /// "physics", "instrument", or a list `class=value,…` of changes to the
    /// physics map (e.g. `misclassified=1,wrong_redshift=0.5`).
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "physics": self = .physics; return
        case "instrument": self = .instrument; return
        default: break
        }
        var values = RelevanceMap.physics.values
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let label = LabelClass(rawValue: parts[0]) else {
                throw LocatedError(column: "relevance map",
                                   message: "'\(item)' is not class=value; classes: "
                                       + LabelClass.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let value = Double(parts[1]), value.isFinite, abs(value) <= 1 else {
                throw LocatedError(column: "relevance map", message: "'\(parts[1])' for \(parts[0]) is not a number in [−1, 1]")
            }
            values[label] = value
        }
        self.init(values)
    }

    /// "physics", "instrument" or "custom".
    public var name: String { self == .physics ? "physics" : self == .instrument ? "instrument" : "custom" }

    public var description: String {
        LabelClass.allCases.map { "\($0.rawValue)=\(Self.format(relevance(of: $0)))" }.joined(separator: ",")
    }

    private static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

/// The role of an anomaly class for a simulated reviewer: a physical state of
/// the quasar, an error of the pipeline (redshift, classification) or of the
/// instrument, or a normal spectrum.
public enum AnomalyRole: String, Sendable, CaseIterable {
    case physical, pipeline, instrument, normal
}

/// A simulated reviewer (`qad evaluate --simulate-reviewer`): labels a
/// candidate from a truth table as a careful reviewer would (what the
/// spectrum is), and counts as "interesting" what its team wants.
public struct ReviewerPersona: Sendable, Equatable {
    public var name: String
    /// The roles the persona is looking for.
    public var interesting: Set<AnomalyRole>
    /// The map the persona's team ranks with.
    public var map: RelevanceMap

    /// Physical anomaly classes are interesting; instrument and pipeline classes are artefacts.
    public static let physics = ReviewerPersona(name: "physics", interesting: [.physical], map: .physics)
    /// Instrument and pipeline classes are interesting; physical ones are not.
    public static let instrument = ReviewerPersona(name: "instrument", interesting: [.instrument, .pipeline],
                                                   map: .instrument)

    public init(name: String, interesting: Set<AnomalyRole>, map: RelevanceMap) {
        self.name = name
        self.interesting = interesting
        self.map = map
    }

    public init(named name: String) throws {
        switch name.lowercased() {
        case "physics": self = .physics
        case "instrument": self = .instrument
        default: throw LocatedError(column: "persona", message: "unknown persona '\(name)' (physics or instrument)")
        }
    }

    /// The classes of qad's simulator and injector and of survey2, by role.
    /// Misclassified objects (a star or galaxy labelled quasar) are pipeline
    /// errors. A class not listed is a kind nobody described: a genuine anomaly.
    static let roles: [String: AnomalyRole] = [
        "BAL_HI": .physical, "BAL_LO": .physical, "BAL": .physical, "REDDENED": .physical, "WEAK_LINES": .physical,
        "CL_VANISH": .physical, "CL_EMERGE": .physical, "BAL_EMERGE": .physical, "BAL_VANISH": .physical,
        "WRONG_Z": .pipeline, "STAR": .pipeline, "GALAXY": .pipeline, "CLASS_CHANGE": .pipeline,
        "ARM_STEP": .instrument, "SKY_RESIDUAL": .instrument, "DEAD_SEGMENT": .instrument,
        "CALIB_TILT": .instrument, "CALIBRATION_TILT": .instrument,
    ]

    /// The role of a truth class (nil = normal spectrum).
    public static func role(of truthClass: String?) -> AnomalyRole {
        guard let name = truthClass?.uppercased(), !name.isEmpty else { return .normal }
        if name.hasPrefix("MISCLASSIFIED_") { return .pipeline }
        return roles[name] ?? .physical
    }

    /// Whether a class is one the role table names (others count as genuine anomalies).
    public static func isKnown(_ truthClass: String) -> Bool {
        let name = truthClass.uppercased()
        return name.hasPrefix("MISCLASSIFIED_") || roles[name] != nil
    }

    /// The label a careful reviewer gives a spectrum of this truth class.
    public static func label(of truthClass: String?) -> LabelClass {
        guard let name = truthClass?.uppercased(), !name.isEmpty else { return .notAnomalous }
        if name.hasPrefix("MISCLASSIFIED_") || name == "STAR" || name == "GALAXY" { return .misclassified }
        if name == "WRONG_Z" { return .wrongRedshift }
        if name == "CLASS_CHANGE" { return .misclassified }
        switch role(of: name) {
        case .physical: return roles[name] == nil ? .genuineAnomaly : .knownPhenomenon
        case .instrument: return .artifact
        case .pipeline: return .misclassified
        case .normal: return .notAnomalous
        }
    }

    public func isInteresting(_ truthClass: String?) -> Bool { interesting.contains(Self.role(of: truthClass)) }
}
