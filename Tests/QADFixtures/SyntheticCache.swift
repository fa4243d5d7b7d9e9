import Foundation
import QADCore
import QADFormats
import QADModel

/// A small spectral cache (a folder of `.npy` matrices, no store) filled with
/// toy "quasars": a power law plus three Gaussian lines whose strengths and
/// widths vary, seen through a window of the grid that depends on a
/// redshift, with Gaussian noise at the stated inverse variance — enough
/// structure for a VAE to learn in seconds. `records` are the catalog rows a
/// store would keep for them.
public struct SyntheticCache {
    /// The folder holding `cache/` (and `models/` for trainers).
    public let directory: String
    public let grid: RestGrid
    /// Rows whose spectrum carries an extra absorption trough (an "anomaly").
    public let anomalous: Set<Int>
    public let records: [SpectrumRecord]

    public static let bins = 240

    public var cacheDirectory: String { directory + "/cache" }
    public func modelDirectory(_ name: String) -> String { directory + "/models/" + name }
    public var fluxPath: String { SpectralCache.fluxPath(directory: cacheDirectory, shard: "main") }

    public init(spectra n: Int, seed: UInt64 = 7, anomalyEvery: Int = 0, directory: String) throws {
        self.directory = directory
        grid = RestGrid(log10Start: log10(1200.0), log10Step: 1.5e-3, count: Self.bins)
        let cacheDirectory = directory + "/cache"
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try NPYFile.write(grid.edges, to: cacheDirectory + "/grid_edges.npy")
        try NPYFile.write([Double](repeating: 1, count: Self.bins), to: cacheDirectory + "/reference.npy")
        try NPYFile.write(grid.centers, to: cacheDirectory + "/grid.npy")
        let flux = try NPYMatrixAppender(path: SpectralCache.fluxPath(directory: cacheDirectory, shard: "main"),
                                         columns: Self.bins, committedRows: 0)
        let weight = try NPYMatrixAppender(path: SpectralCache.weightPath(directory: cacheDirectory, shard: "main"),
                                           columns: Self.bins, committedRows: 0)
        var rng = SeededRandom(seed: seed)
        var records: [SpectrumRecord] = []
        var anomalous: Set<Int> = []
        let centers = grid.centers
        for row in 0..<n {
            let slope = -1.5 + 0.4 * normal(&rng)
            let lines: [(center: Double, ew: Double, width: Double)] = [(1550, 1.5, 12), (1909, 0.8, 15), (2800, 1.0, 20)]
            let scale = exp(0.5 * normal(&rng)), widthScale = exp(0.25 * normal(&rng))
            let snr = 10 + 30 * rng.nextUniform()
            // Coverage: a window of about 60 % of the grid sliding with "redshift".
            let start = Int(rng.nextUniform() * Double(Self.bins) * 0.4)
            let end = min(Self.bins, start + Int(Double(Self.bins) * 0.6))
            let isAnomaly = anomalyEvery > 0 && row % anomalyEvery == anomalyEvery - 1
            if isAnomaly { anomalous.insert(row) }
            var f = [Float](repeating: 0, count: Self.bins), w = [Float](repeating: 0, count: Self.bins)
            for j in start..<end {
                let lam = centers[j]
                var model = pow(lam / 2000, slope)
                for l in lines {
                    let s = l.width * widthScale
                    model += scale * l.ew / (s * 2.5066) * exp(-0.5 * pow((lam - l.center) / s, 2)) * 10
                }
                if isAnomaly { model *= 1 - 0.6 * exp(-0.5 * pow((lam - 1500) / 15, 2)) }
                let sigma = 1 / snr
                f[j] = Float(model + sigma * normal(&rng))
                w[j] = Float(1 / (sigma * sigma))
            }
            try flux.append(f)
            try weight.append(w)
            records.append(SpectrumRecord(
                targetid: 1_000_000_000_000 + TargetID(row), ra: 0, dec: 0, z: 2, zSource: "test", spectype: "QSO",
                zwarn: 0, deltachi2: nil, balProb: nil, biCiv: nil, aiCiv: nil, snr: snr, amplitude: 1, maskFrac: 0,
                zeroIvarFrac: 0, armStep: 0, nbins: end - start, flags: 0, survey: "TEST", sourceFile: "synthetic",
                sourceHdu: "-", sourceRow: row, cacheShard: "main", cacheRow: row))
        }
        try flux.sync()
        try weight.sync()
        self.records = records
        self.anomalous = anomalous
    }

    /// The cache, memory-mapped.
    public func cache() throws -> SpectralCache {
        try SpectralCache(directory: cacheDirectory, shard: "main",
                          shards: [CacheShardRecord(name: "main", rows: records.count, columns: Self.bins)])
    }

    /// Every spectrum's place in the cache.
    public var refs: [CacheRowRef] { records.map { CacheRowRef(targetid: $0.targetid, row: $0.cacheRow) } }

    /// The training set of `config` over the whole cache.
    public func trainingSet(_ config: TrainingConfig, clip: Float = 20) throws -> TrainingSet {
        try TrainingSet(cache: cache(), refs: refs, config: config, clip: clip, location: directory)
    }

    /// A trainer of model `name` in this folder.
    public func trainer(_ name: String = "vae") throws -> VAETrainer {
        try VAETrainer(directory: modelDirectory(name), modelName: name)
    }

    /// The cache as matrices.
    public func matrices() throws -> (flux: Matrix, weight: Matrix) {
        let cache = try cache()
        func read(_ m: CacheMatrix) -> Matrix {
            Matrix(rows: m.rows, columns: m.columns,
                   values: (0..<m.rows).flatMap { Array(UnsafeBufferPointer(start: m.row($0), count: m.columns)) })
        }
        return (read(cache.flux), read(cache.weight))
    }
}

public func normal(_ rng: inout SeededRandom) -> Double {
    var v: Float = 0
    rng.fillGaussian(&v, count: 1)
    return Double(v)
}

/// A training configuration small enough for unit tests.
public func quickConfig(epochs: Int = 3, threads: Int = 2) -> TrainingConfig {
    var c = TrainingConfig()
    c.maxEpochs = epochs
    c.batchSize = 32
    c.threads = threads
    c.betaWarmupEpochs = 1
    c.learningRateWarmupSteps = 10
    c.validationFraction = 0.2
    return c
}

public let smallArchitecture = VAEArchitecture(bins: SyntheticCache.bins, hidden: [64, 32], latent: 6, activation: .leakyRelu)

extension VAETrainer {
    /// Trains on every spectrum of a synthetic cache.
    public func train(on cache: SyntheticCache, architecture: VAEArchitecture?, config: TrainingConfig) throws
        -> TrainingOutcome {
        try train(data: cache.trainingSet(config, clip: architecture?.inputClip ?? 20), architecture: architecture,
                  config: config)
    }
}
