import Foundation
import QADCore
import QADFormats
import QADDetect
import QADModel
import QADStore

/// A scored project store without running the pipeline: toy quasar spectra on
/// the standard rest grid (power law plus broad lines, noise at the stated
/// inverse variance, a masked sky line), their noiseless shape as the
/// "reconstruction", random latents, and plausible scores (χ²/dof computed
/// from the residual; the other scores drawn; percentiles by rank). For the
/// review tests and the review load benchmark (`qad-review-fixture`).
///
/// Only the `spectraWithData` highest-scored rows carry spectra; the cache
/// files of the others are left sparse (all zeros: weight 0, not covered), so
/// a million-row store takes seconds and little disk.
public struct SyntheticScoredStore {
    public struct Summary: Sendable {
        public var spectra: Int
        public var withData: Int
        public var anomalies: [TargetID]
        public var firstTargetID: TargetID
    }

    /// DESI-like TARGETIDs, above 2^53 so that any pass through a Double shows.
    public static let firstTargetID: TargetID = 39_627_000_000_000_000

    public static func write(directory: String, spectra n: Int, spectraWithData: Int = 2000, model: String = "vae",
                             seed: UInt64 = 1) throws -> Summary {
        try write(project: ProjectStore(directory: directory), spectra: n, spectraWithData: spectraWithData, model: model,
                  seed: seed)
    }

    /// The same into any project: its store takes the catalog and scores, its
    /// folder the cache and the model's matrices.
    public static func write(project: ProjectStore, spectra n: Int, spectraWithData: Int = 2000, model: String = "vae",
                             seed: UInt64 = 1) throws -> Summary {
        let directory = project.directory
        let grid = RestGrid.standard
        _ = try project.prepareCache(grid: grid) { [Double](repeating: 1, count: grid.count) }
        let centers = grid.centers
        let bins = grid.count
        let filled = min(n, spectraWithData)
        let modelDir = "\(directory)/models/\(model)"
        try FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
        let fluxOut = try SparseNPYWriter(path: project.fluxPath(shard: "main"), rows: n, columns: bins)
        let weightOut = try SparseNPYWriter(path: project.weightPath(shard: "main"), rows: n, columns: bins)
        let reconOut = try SparseNPYWriter(path: "\(modelDir)/\(ModelFiles.reconstructionName)", rows: n, columns: bins)
        let latentDim = 16
        let muOut = try SparseNPYWriter(path: "\(modelDir)/\(ModelFiles.latentMuName)", rows: n, columns: latentDim)

        var rng = Xoshiro256StarStar(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func gauss() -> Double { sqrt(-2 * log(max(uniform(), 1e-300))) * cos(2 * .pi * uniform()) }

        let lines: [(Double, Double, Double)] = [(1215.67, 6, 25), (1549.06, 2.5, 30), (1908.73, 1.2, 35),
                                                 (2798.75, 1.5, 40), (4862.68, 1.0, 45), (6564.61, 2.0, 50)]
        var values: [[ScoreName: Double]] = []
        var windows: [[ExplanationWindow]] = []
        var local: [(Double, Double, Double, Double)] = []
        var anomalies: [TargetID] = []
        var records: [SpectrumRecord] = []
        records.reserveCapacity(min(n, 50_000))
        var committed = 0
        values.reserveCapacity(n)
        for row in 0..<n {
            let id = firstTargetID + TargetID(row)
            let z = 0.3 + 3.2 * uniform()
            let snr = 1 + 20 * uniform() * uniform()
            var chi2 = 1 + 0.1 * abs(gauss())
            var localRestLambda = 1549.06, localObsLambda = 1549.06 * (1 + z)
            var window = [ExplanationWindow(window: "CIV", frame: "rest", share: 0.2)]
            if row < filled {
                let isAnomaly = row % 10 == 0
                if isAnomaly { anomalies.append(id) }
                let slope = -1.5 + 0.3 * gauss()
                var f = [Float](repeating: 0, count: bins), w = [Float](repeating: 0, count: bins)
                var m = [Float](repeating: .nan, count: bins)
                let lo = 3600 / (1 + z), hi = 9824 / (1 + z)
                var sum = 0.0, dof = 0
                for j in 0..<bins where centers[j] >= lo && centers[j] <= hi {
                    let lam = centers[j]
                    var shape = pow(lam / 2000, slope)
                    for (c, ew, width) in lines { shape += ew / 10 * exp(-0.5 * pow((lam - c) / width, 2)) }
                    var truth = shape
                    if isAnomaly { truth *= 1 - 0.7 * exp(-0.5 * pow((lam - 1500) / 20, 2)) }
                    let sigma = shape / snr
                    let obs = lam * (1 + z)
                    let masked = abs(obs - 5578.5) < 4
                    f[j] = Float(truth + sigma * gauss())
                    w[j] = masked ? 0 : Float(1 / (sigma * sigma))
                    m[j] = Float(shape)
                    if !masked { sum += pow(Double(f[j]) - shape, 2) / (sigma * sigma); dof += 1 }
                }
                chi2 = dof > 0 ? sum / Double(dof) : 1
                try fluxOut.write(row: row, f)
                try weightOut.write(row: row, w)
                try reconOut.write(row: row, m)
                if isAnomaly {
                    localRestLambda = 1500
                    localObsLambda = 1500 * (1 + z)
                    window = [ExplanationWindow(window: "CIV", frame: "rest", share: 0.7),
                              ExplanationWindow(window: "sky 5577", frame: "obs", share: 0.05)]
                }
            }
            try muOut.write(row: row, (0..<latentDim).map { _ in Float(gauss()) })
            // Spectra with data score above the sparse rest, so the queue opens on them.
            let boost = row < filled ? 10.0 : 0
            var v: [ScoreName: Double] = [.reconChi2: chi2, .reconMse: chi2 * 0.01, .kl: 5 + abs(gauss()),
                                          .iforest: 0.4 + 0.1 * uniform(), .localRest: 3 * chi2, .localObs: 2 * chi2,
                                          .colour: abs(log(chi2)), .lines: 0.5 * chi2, .balTrough: 2 + abs(gauss()),
                                          .score: boost + log(chi2) + uniform()]
            // Every other score (a score added later needs no line here): |N(0, 1)|.
            for name in ScoreName.allCases where v[name] == nil { v[name] = abs(gauss()) }
            values.append(v)
            windows.append(window)
            local.append((localRestLambda, 40, localObsLambda, 40 * (1 + z)))
            records.append(SpectrumRecord(
                targetid: id, ra: 360 * uniform(), dec: -10 + 80 * uniform(), z: z, zSource: "synthetic",
                spectype: "QSO", zwarn: 0, deltachi2: 100, balProb: row % 17 == 0 ? 0.9 : 0.0, biCiv: 0, aiCiv: 0,
                snr: snr, amplitude: 1, maskFrac: 0.01, zeroIvarFrac: 0, armStep: 0, nbins: bins,
                flags: snr < 2 ? QualityFlags.lowSNR.rawValue : 0, survey: "SYNTH", sourceFile: "synthetic-\(row / 50_000)",
                sourceHdu: "-", sourceRow: row % 50_000, cacheShard: "main", cacheRow: row))
            if records.count == 50_000 || row == n - 1 {
                committed += records.count
                try project.store.commit(FileCommit(
                    file: IngestedFileRecord(path: "synthetic-\(row / 50_000)", size: 0, mtime: 0, status: .done,
                                             nSpectra: records.count, nSkipped: 0, ingestedAt: Date().timeIntervalSince1970),
                    spectra: records, problems: []), shard: "main", shardRows: committed, columns: bins)
                records.removeAll(keepingCapacity: true)
            }
        }
        for w in [fluxOut, weightOut, reconOut, muOut] { try w.finish() }

        // Percentiles by rank, per score.
        var percentiles = [[ScoreName: Double]](repeating: [:], count: n)
        for name in ScoreName.allCases {
            let order = (0..<n).sorted { values[$0][name]! < values[$1][name]! }
            for (rank, row) in order.enumerated() { percentiles[row][name] = 100 * Double(rank + 1) / Double(n) }
        }
        var scores: [ScoreRecord] = []
        scores.reserveCapacity(n)
        for row in 0..<n {
            let neighbors = (1...5).map { k in firstTargetID + TargetID((row + k * 7) % max(1, min(n, filled))) }
            scores.append(ScoreRecord(
                model: model, targetid: firstTargetID + TargetID(row), values: values[row], percentiles: percentiles[row],
                localRestLambda: local[row].0, localRestWidth: local[row].1, localObsLambda: local[row].2,
                localObsWidth: local[row].3, explanation: windows[row],
                neighbors: neighbors))
        }
        // The model's outputs, as qad infer leaves them: latent row i is cache row i.
        let outputs = (0..<n).map { row in
            ModelOutputRecord(model: model, targetid: firstTargetID + TargetID(row), cacheShard: "main", cacheRow: row,
                              reconChi2: values[row][.reconChi2]!, reconMse: values[row][.reconMse]!,
                              kl: values[row][.kl]!, dof: bins)
        }
        try project.store.commitInference(outputs, progress: ModelInferenceRecord(
            model: model, fingerprint: InferenceFingerprint(weightsHash: "synthetic", reconstructions: .covered),
            cacheShard: "main", rowsDone: n, rowsTotal: n, updatedAt: Date().timeIntervalSince1970))
        try project.store.replaceScores(scores, run: ScoreRunRecord(model: model, modelFingerprint: "synthetic",
                                                                  scoredAt: Date().timeIntervalSince1970, spectra: n,
                                                                  parameters: #"{"synthetic":true}"#))
        return Summary(spectra: n, withData: filled, anomalies: anomalies, firstTargetID: firstTargetID)
    }
}

/// A float32 [rows, columns] `.npy` file written row by row at known
/// positions; rows never written stay holes in a sparse file (read as zeros).
final class SparseNPYWriter {
    let handle: FileHandle
    let columns: Int
    let dataOffset: UInt64
    let rows: Int

    init(path: String, rows: Int, columns: Int) throws {
        let header = NPYHeader(descr: "<f4", shape: [rows, columns]).bytes()
        _ = FileManager.default.createFile(atPath: path, contents: Data(header))
        guard let h = FileHandle(forWritingAtPath: path) else { throw LocatedError(file: path, message: "cannot write") }
        handle = h
        self.columns = columns
        self.rows = rows
        dataOffset = UInt64(header.count)
    }

    func write(row: Int, _ values: [Float]) throws {
        precondition(values.count == columns)
        try handle.seek(toOffset: dataOffset + UInt64(row * columns * 4))
        values.withUnsafeBytes { handle.write(Data($0)) }
    }

    func finish() throws {
        try handle.truncate(atOffset: dataOffset + UInt64(rows * columns * 4))
        try handle.close()
    }
}
