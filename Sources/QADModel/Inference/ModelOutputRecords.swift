import QADCore

/// Per-spectrum outputs of one model over the cache (`qad infer`). Row-aligned
/// matrices (latents, reconstructions) live in STORE/models/<model>/ as .npy;
/// these are the scalar statistics, queryable beside the catalog.
public struct ModelOutputRecord: Sendable, Equatable {
    public var model: String
    public var targetid: TargetID
    public var cacheShard: String
    public var cacheRow: Int
    /// χ² of the reconstruction over covered bins / `dof`.
    public var reconChi2: Double
    /// Mean squared residual over covered bins.
    public var reconMse: Double
    /// KL(q(z|x) ‖ N(0, I)).
    public var kl: Double
    /// Covered rest-frame bins.
    public var dof: Int

    public init(model: String, targetid: TargetID, cacheShard: String, cacheRow: Int, reconChi2: Double,
                reconMse: Double, kl: Double, dof: Int) {
        self.model = model
        self.targetid = targetid
        self.cacheShard = cacheShard
        self.cacheRow = cacheRow
        self.reconChi2 = reconChi2
        self.reconMse = reconMse
        self.kl = kl
        self.dof = dof
    }
}

/// How far inference of one model over one cache shard has come: committed in
/// the same transaction as the outputs, so a killed run resumes exactly there.
public struct ModelInferenceRecord: Sendable, Equatable {
    public var model: String
    /// The weights the outputs came from and what was written; other weights start over.
    public var fingerprint: InferenceFingerprint
    public var cacheShard: String
    /// Cache rows [0, rowsDone) have outputs.
    public var rowsDone: Int
    public var rowsTotal: Int
    public var updatedAt: Double

    public init(model: String, fingerprint: InferenceFingerprint, cacheShard: String, rowsDone: Int, rowsTotal: Int, updatedAt: Double) {
        self.model = model
        self.fingerprint = fingerprint
        self.cacheShard = cacheShard
        self.rowsDone = rowsDone
        self.rowsTotal = rowsTotal
        self.updatedAt = updatedAt
    }
}

/// A catalog spectrum's place in the cache.
public struct CacheRowRef: Sendable, Equatable {
    public var targetid: TargetID
    public var row: Int
    public init(targetid: TargetID, row: Int) {
        self.targetid = targetid
        self.row = row
    }
}

extension ModelOutputRecord: StoredRecord {
    public static let table = StoredTable<ModelOutputRecord>(
        "model_output", createdBy: SchemaHistory.modelOutputs,
        columns: [.text("model", \.model), .int64("targetid", \.targetid), .text("cache_shard", \.cacheShard),
                  .int("cache_row", \.cacheRow), .double("recon_chi2", \.reconChi2), .double("recon_mse", \.reconMse),
                  .double("kl", \.kl), .int("dof", \.dof)],
        primaryKey: ["model", "targetid"])

    public static var blank: ModelOutputRecord {
        ModelOutputRecord(model: "", targetid: 0, cacheShard: "", cacheRow: 0, reconChi2: 0, reconMse: 0, kl: 0, dof: 0)
    }
}

extension ModelInferenceRecord: StoredRecord {
    public static let table = StoredTable<ModelInferenceRecord>(
        "model_inference", createdBy: SchemaHistory.modelOutputs,
        columns: [.text("model", \.model), .coded("fingerprint", \.fingerprint), .text("cache_shard", \.cacheShard),
                  .int("rows_done", \.rowsDone), .int("rows_total", \.rowsTotal), .double("updated_at", \.updatedAt)],
        primaryKey: ["model"])

    public static var blank: ModelInferenceRecord {
        ModelInferenceRecord(model: "", fingerprint: InferenceFingerprint(weightsHash: "", reconstructions: .none),
                             cacheShard: "", rowsDone: 0, rowsTotal: 0, updatedAt: 0)
    }

    /// Whether every row of the cache has outputs of these weights, with the
    /// reconstructions the residual scores need.
    public func isComplete(weightsHash: String) -> Bool {
        fingerprint.weightsHash == weightsHash && rowsDone == rowsTotal && fingerprint.reconstructions != .none
    }
}

/// Which weights inference ran with and which reconstructions it wrote: what
/// the stored text "HASH", "HASH+reconstruction" or "HASH+reconstruction-full" says.
public struct InferenceFingerprint: Sendable, Equatable, StoredText {
    public enum Reconstructions: String, Sendable {
        /// Latents and statistics only (`--no-reconstructions`).
        case none = ""
        /// The bins each spectrum covers (NaN elsewhere).
        case covered = "+reconstruction"
        /// The whole rest grid (`--full-reconstructions`).
        case full = "+reconstruction-full"
    }

    public var weightsHash: String
    public var reconstructions: Reconstructions

    public init(weightsHash: String, reconstructions: Reconstructions) {
        self.weightsHash = weightsHash
        self.reconstructions = reconstructions
    }

    public var storedText: String { weightsHash + reconstructions.rawValue }

    public init(storedText: String) throws(StoredValueError) {
        for r in [Reconstructions.full, .covered] where storedText.hasSuffix(r.rawValue) {
            self.init(weightsHash: String(storedText.dropLast(r.rawValue.count)), reconstructions: r)
            return
        }
        guard !storedText.isEmpty, !storedText.contains("+") else {
            throw StoredValueError("not an inference fingerprint: '\(storedText)'")
        }
        self.init(weightsHash: storedText, reconstructions: .none)
    }
}
