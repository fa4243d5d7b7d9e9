/// Quality flag bits stored in the catalog's FLAGS column (see docs/preprocessing.md).
/// They describe data quality for reviewers; they are not anomaly scores.
public struct QualityFlags: OptionSet, Sendable, Codable, Hashable {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    public static let lowSNR = QualityFlags(rawValue: 1)
    public static let manyMasked = QualityFlags(rawValue: 2)
    public static let armStep = QualityFlags(rawValue: 4)
    public static let fewBins = QualityFlags(rawValue: 8)
    public static let badValues = QualityFlags(rawValue: 16)
    /// The flux scatters more than its ivar claims (noise scale above
    /// `noiseExcessThreshold`); its weights were widened to match.
    public static let noiseExcess = QualityFlags(rawValue: 32)
    /// 20 % more scatter than claimed: about 2 % of benchmark spectra.
    public static let noiseExcessThreshold = 1.2

    public static let names: [(QualityFlags, String)] = [
        (.lowSNR, "LOW_SNR"), (.manyMasked, "MANY_MASKED"), (.armStep, "ARM_STEP"),
        (.fewBins, "FEW_BINS"), (.badValues, "BAD_VALUES"), (.noiseExcess, "NOISE_EXCESS"),
    ]

    public var labels: [String] { Self.names.filter { contains($0.0) }.map { $0.1 } }
}
