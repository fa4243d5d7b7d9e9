import Foundation
import QADCore
import QADCrossmatch
import QADDetect
import QADLabels
import QADModel

/// Everything one input file contributes, committed atomically: a crash leaves
/// the whole file in the store or none of it.
public struct FileCommit: Sendable {
    public var file: IngestedFileRecord
    /// Spectra of objects the store did not hold (each also among `epochs`).
    public var spectra: [SpectrumRecord]
    public var problems: [ProblemRecord]
    /// Every spectrum the file contributes.
    public var epochs: [EpochRecord]

    /// Without `epochs`, each spectrum is its object's only epoch, its visit
    /// named by its survey (as a store made before epochs were kept has them).
    public init(file: IngestedFileRecord, spectra: [SpectrumRecord], problems: [ProblemRecord],
                epochs: [EpochRecord]? = nil) {
        self.file = file
        self.spectra = spectra
        self.problems = problems
        self.epochs = epochs ?? spectra.map {
            EpochRecord(spectrum: $0, object: $0.targetid, visit: EpochRecord.visit(survey: $0.survey), mjdMin: nil, mjdMax: nil)
        }
    }
}

/// What relinking the epochs into objects changes (`EpochLinker`), applied in
/// one transaction.
public struct EpochLinks: Sendable, Equatable {
    /// Epochs that now belong to another object.
    public var moved: [EpochMove] = []
    /// Objects that no longer exist (their epochs joined another object).
    public var removedObjects: [TargetID] = []
    /// Objects' new or changed primary records.
    public var primaries: [SpectrumRecord] = []

    public init() {}

    public var isEmpty: Bool { moved.isEmpty && removedObjects.isEmpty && primaries.isEmpty }
}

/// One epoch's new object.
public struct EpochMove: Sendable, Equatable {
    public var key: EpochKey
    public var object: TargetID

    public init(key: EpochKey, object: TargetID) {
        self.key = key
        self.object = object
    }
}

/// The project store: everything every stage keeps, one type. SQLite (GRDB)
/// is the embedded default; PostgreSQL holds the same schema for a shared run.
/// Both implement all of it; only the shared work queue (`WorkQueueStore`)
/// is PostgreSQL's alone. The parts below name what each stage uses.
public protocol Store: CatalogStore, ModelOutputStore, ScoreStore, CrossmatchStore, ReviewStore, UpstreamARDStore {
    /// Where the store is, for messages: the SQLite file or the URL without password.
    var location: String { get }
}

/// What ingest writes and every later stage reads: spectra, files, problems, cache shards.
public protocol CatalogStore: AnyObject, Sendable {
    /// The record of an input file seen before, if any.
    func fileRecord(path: String) throws -> IngestedFileRecord?
    /// Every stored TARGETID (to report duplicates before writing).
    func allTargetIDs() throws -> Set<TargetID>
    /// Which file a stored TARGETID came from.
    func sourceFile(of id: TargetID) throws -> String?
    /// Every stored spectrum's identity, primaries and other epochs alike.
    func epochKeys() throws -> Set<EpochKey>
    /// Which file a stored epoch came from.
    func sourceFile(of epoch: EpochKey) throws -> String?
    /// Every epoch, ordered by cache shard and row.
    func epochs() throws -> [EpochRecord]
    /// One object's epochs, earliest first (by MJD, then cache row).
    func epochs(of object: TargetID) throws -> [EpochRecord]
    /// Replaces every object's variability (`qad epochs`) in one transaction.
    func replaceEpochVariability(_ records: [EpochVariabilityRecord]) throws
    /// Every stored variability, most variable first.
    func epochVariability() throws -> [EpochVariabilityRecord]
    /// One object's, if `qad epochs` found it.
    func epochVariability(of object: TargetID) throws -> EpochVariabilityRecord?
    /// Applies a relinking in one transaction. Model outputs that no longer
    /// describe an object's primary (its cache row changed, or the object is
    /// gone) make every model's outputs and score run forgotten in the same
    /// transaction, so `qad infer` and `qad score` redo them; returns whether
    /// that happened.
    func applyEpochLinks(_ links: EpochLinks) throws -> Bool
    /// Rows of a cache shard that committed spectra refer to.
    func committedRows(shard: String) throws -> Int
    /// Commits one file's spectra, problems and file record, and the shard's new
    /// row count, in one transaction.
    func commit(_ commit: FileCommit, shard: String, shardRows: Int, columns: Int) throws
    /// Forgets a file (for `--force`): its spectra and epochs, problems and record.
    func forget(file path: String) throws
    /// After a cache shard lost rows (it holds only `availableRows`): forgets
    /// every file with spectra at or beyond that row, sets the shard's committed
    /// count to the first row they used, and returns their paths, in one
    /// transaction. Files are committed in order, so they are the newest ones.
    func forgetFiles(beyondCacheRow availableRows: Int, shard: String) throws -> [String]
    func spectrumCount() throws -> Int
    func spectra() throws -> [SpectrumRecord]
    func spectrum(_ id: TargetID) throws -> SpectrumRecord?
    func problems() throws -> [ProblemRecord]
    func files() throws -> [IngestedFileRecord]
    /// Every cache shard with its committed row count.
    func cacheShards() throws -> [CacheShardRecord]
}

/// What the model stages (`qad train`, `qad infer`) keep.
public protocol ModelOutputStore: Sendable {
    /// Catalog spectra whose cache rows lie in [rows], ordered by row.
    func cacheRows(shard: String, in rows: Range<Int>) throws -> [CacheRowRef]
    func inferenceProgress(model: String) throws -> ModelInferenceRecord?
    /// Outputs of a stretch of rows and the new progress, in one transaction.
    func commitInference(_ outputs: [ModelOutputRecord], progress: ModelInferenceRecord) throws
    /// Forgets a model's outputs and progress.
    func resetInference(model: String) throws
    func modelOutputs(model: String) throws -> [ModelOutputRecord]
}

/// What `qad score` writes and ranking, review and export read.
public protocol ScoreStore: Sendable {
    /// Replaces every score of `run.model` (and the run record) in one transaction.
    func replaceScores(_ scores: [ScoreRecord], run: ScoreRunRecord) throws
    func scoreRun(model: String) throws -> ScoreRunRecord?
    /// Every score of a model, in TARGETID order.
    func scores(model: String) throws -> [ScoreRecord]
    func score(model: String, targetid: TargetID) throws -> ScoreRecord?
    /// The candidates a query selects, in its order.
    func candidates(_ query: CandidateQuery) throws -> [Candidate]
    /// How many spectra a query selects (ignoring limit and offset).
    func candidateCount(_ query: CandidateQuery) throws -> Int
    /// The TARGETIDs a query selects, in its order: for callers that need
    /// the selection, not its records (a relevance queue over a million).
    func candidateIDs(_ query: CandidateQuery) throws -> [TargetID]
}

/// A target's position as the store has it, for matching.
public struct TargetPosition: Sendable, Equatable {
    public var targetid: TargetID
    public var ra: Double
    public var dec: Double
}

/// What `qad crossmatch` writes and export and review read.
public protocol CrossmatchStore: Sendable {
    /// Every spectrum with a position, ordered by TARGETID.
    func targetPositions() throws -> [TargetPosition]
    /// Spectra without RA or Dec (they cannot be matched).
    func targetsWithoutPosition() throws -> Int
    /// Replaces everything stored for `catalog.name` by these matches, in one transaction.
    func replaceCrossmatch(_ catalog: CrossmatchCatalogRecord, matches: [CrossmatchMatchRecord]) throws
    func crossmatchCatalogs() throws -> [CrossmatchCatalogRecord]
    /// A catalog's matches, ordered by TARGETID.
    func crossmatches(catalog: String) throws -> [CrossmatchMatchRecord]
    /// One target's matches in every catalog, ordered by catalog name.
    func crossmatches(of targetid: TargetID) throws -> [CrossmatchMatchRecord]
}
