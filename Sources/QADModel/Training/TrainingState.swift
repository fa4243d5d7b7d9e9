/// One epoch's line of the training log.
public struct EpochReport: Codable, Sendable, Equatable {
    public var epoch: Int
    /// Mean (χ² + log ratio + β·KL) per training spectrum, with the β of
    /// each step and z sampled (χ² and log ratio: `VAEModel.computeLoss`).
    public var trainLoss: Double
    /// Mean (χ² + log ratio + β_final·KL) per validation spectrum at z = μ,
    /// with the model error fitted after this epoch.
    public var validationLoss: Double
    /// Σχ² / Σdof over the training batches.
    public var trainChi2PerDof: Double
    /// Median over validation spectra of χ²/dof at z = μ (with the model error).
    public var validationMedianChi2PerDof: Double
    /// The same against the noise alone; nil in logs written before it existed.
    public var validationMedianNoiseChi2PerDof: Double?
    /// Median over rest bins of the fitted model error ε (nil: none fitted).
    public var medianModelError: Double?
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
