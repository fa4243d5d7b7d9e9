import Foundation
import QADCore
import QADFormats
import QADDetect
import QADModel

/// Everything one figure of one spectrum needs: the cached rest-frame flux and
/// its inverse variance, the model's reconstruction, and where the scorer
/// found the residual.
public struct SpectrumData: Sendable {
    public var targetid: TargetID
    public var z: Double
    /// Rest-frame bin centres (Å) of the covered range (first to last bin with weight > 0).
    public var restLambda: [Double]
    public var flux: [Float]
    /// Inverse variance; 0 = masked or not covered.
    public var ivar: [Float]
    /// Reconstruction; NaN where the model has none.
    public var model: [Float]
    public var windows: [ExplanationWindow]
    /// The most significant localized residual (rest and observed frame), centre and full width (Å).
    public var localRest: (lambda: Double, width: Double)?
    public var localObs: (lambda: Double, width: Double)?

    public init(targetid: TargetID, z: Double, restLambda: [Double], flux: [Float], ivar: [Float], model: [Float],
                windows: [ExplanationWindow] = [], localRest: (Double, Double)? = nil, localObs: (Double, Double)? = nil) {
        self.targetid = targetid
        self.z = z
        self.restLambda = restLambda
        self.flux = flux
        self.ivar = ivar
        self.model = model
        self.windows = windows
        self.localRest = localRest.map { (lambda: $0.0, width: $0.1) }
        self.localObs = localObs.map { (lambda: $0.0, width: $0.1) }
    }

    /// Residual normalized by the noise, (flux − model)·√ivar; NaN where either is missing.
    public var normalizedResidual: [Float] {
        (0..<flux.count).map { i in
            ivar[i] > 0 && model[i].isFinite ? (flux[i] - model[i]) * ivar[i].squareRoot() : .nan
        }
    }
}

/// Reads spectra for figures: the cache and a model's reconstructions,
/// memory-mapped, so one spectrum costs a few page reads. The cache should
/// hold every shard, as training and inference read them (one `main` after a
/// single-process ingest; one per file after `qad worker` runs on a shared
/// store), so the model's matrices line up with the cache's global rows.
public final class SpectrumLoader: @unchecked Sendable {
    // @unchecked: read-only mappings and immutable arrays.
    let cache: SpectralCache
    /// Each shard's global rows.
    let shardRows: [String: Range<Int>]
    let reconstruction: MappedNPYMatrix?
    public let restCenters: [Double]

    /// `modelDirectory`: where the model's `reconstruction.npy` is (none: figures without a model).
    public init(cache: SpectralCache, modelDirectory: String) throws {
        self.cache = cache
        shardRows = Dictionary(uniqueKeysWithValues: cache.shardNames.indices.map { p in
            (cache.shardNames[p], cache.flux.starts[p]..<(cache.flux.starts[p] + cache.flux.parts[p].rows))
        })
        cache.flux.advise(random: true)
        cache.weight.advise(random: true)
        let reconstructionPath = "\(modelDirectory)/\(ModelFiles.reconstructionName)"
        if FileManager.default.fileExists(atPath: reconstructionPath) {
            let r = try MappedNPYMatrix(path: reconstructionPath)
            r.advise(random: true)
            reconstruction = r
        } else {
            reconstruction = nil
        }
        restCenters = cache.centers
    }

    /// The row of the model's matrices (latents, reconstructions) and of the
    /// whole cache that holds this spectrum; nil when its shard has no such row.
    public func globalRow(of spectrum: SpectrumRecord) -> Int? {
        guard let rows = shardRows[spectrum.cacheShard], spectrum.cacheRow >= 0,
              spectrum.cacheRow < rows.count else { return nil }
        return rows.lowerBound + spectrum.cacheRow
    }

    /// The spectrum of a catalog row with its scores' explanation, cut to the covered range.
    public func load(_ spectrum: SpectrumRecord, score: ScoreRecord?) throws -> SpectrumData {
        guard let row = globalRow(of: spectrum) else {
            throw LocatedError("TARGETID \(spectrum.targetid): cache row \(spectrum.cacheRow) of shard \(spectrum.cacheShard) "
                             + "is beyond its committed rows")
        }
        let f = cache.flux.row(row), w = cache.weight.row(row)
        let n = cache.bins
        var first = 0, last = n - 1
        while first < n, w[first] <= 0 { first += 1 }
        while last > first, w[last] <= 0 { last -= 1 }
        if first >= n { first = 0; last = -1 }
        let range = first...max(first, last)
        let empty = last < first
        var modelValues = [Float](repeating: .nan, count: empty ? 0 : range.count)
        if let reconstruction, !empty, row < reconstruction.rows, reconstruction.columns == n {
            let r = reconstruction.row(row)
            for (k, i) in range.enumerated() { modelValues[k] = r[i] }
        }
        return SpectrumData(
            targetid: spectrum.targetid, z: spectrum.z,
            restLambda: empty ? [] : Array(restCenters[range]),
            flux: empty ? [] : range.map { f[$0] }, ivar: empty ? [] : range.map { w[$0] }, model: modelValues,
            windows: score?.explanation ?? [],
            localRest: score.flatMap { $0.localRestLambda.isFinite ? ($0.localRestLambda, $0.localRestWidth) : nil },
            localObs: score.flatMap { $0.localObsLambda.isFinite ? ($0.localObsLambda, $0.localObsWidth) : nil })
    }
}
