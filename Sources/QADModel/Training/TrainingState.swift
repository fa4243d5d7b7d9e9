/// One epoch's line of the training log.
public struct EpochReport: Codable, Sendable, Equatable {
    public var epoch: Int
    /// Mean (χ² + β·KL) per training spectrum, with the β of each step and z sampled.
    public var trainLoss: Double
    /// Mean (χ² + β_final·KL) per validation spectrum at z = μ.
    public var validationLoss: Double
    /// Σχ² / Σdof over the training batches.
    public var trainChi2PerDof: Double
    /// Median over validation spectra of χ²/dof at z = μ.
    public var validationMedianChi2PerDof: Double
    public var beta: Float
    public var learningRate: Float
    public var spectraPerSecond: Double
    public var seconds: Double
}

/// Where training stands after an epoch: everything besides weights and
/// optimizer moments that a resumed run needs to continue exactly.
public struct TrainingState: Codable, Sendable, Equatable {
    public var epochsDone = 0
    public var steps = 0
    public var learningRate: Float
    public var bestValidationLoss: Double?
    public var bestEpoch: Int?
    public var epochsWithoutImprovement = 0
    public var epochsSinceLearningRateChange = 0
    /// Running mean of the gradient norm (for clipping), carried across resumes.
    public var gradientNormAverage: Double?
    public var finished = false
    public var stopReason: String?
    public var history: [EpochReport] = []
    public var architecture: VAEArchitecture
    public var config: TrainingConfig
    public var dataHash: String

    public init(learningRate: Float, architecture: VAEArchitecture, config: TrainingConfig, dataHash: String) {
        self.learningRate = learningRate
        self.architecture = architecture
        self.config = config
        self.dataHash = dataHash
    }
}
