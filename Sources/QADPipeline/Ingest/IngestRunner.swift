import Foundation
import QADCore
import QADFormats
import QADSpectra
import QADStore

/// Options of one ingest run.
public struct IngestOptions: Sendable {
    public var selection: SampleSelection
    /// Files read and preprocessed at once (default: all cores).
    public var workers: Int
    /// Redo files already in the store.
    public var force: Bool
    /// Cache shard the spectra are appended to.
    public var shard: String
    /// How spectra with different ids join into one object (`EpochLinker`).
    public var linker: EpochLinker

    public init(selection: SampleSelection = SampleSelection(), workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                force: Bool = false, shard: String = "main", linker: EpochLinker = EpochLinker()) {
        self.selection = selection
        self.workers = max(1, workers)
        self.force = force
        self.shard = shard
        self.linker = linker
    }
}

/// Counts and problems of one run, printed at the end.
public struct IngestSummary: Sendable {
    public var filesFound = 0
    public var filesIngested = 0
    public var filesAlreadyDone = 0
    public var filesFailed = 0
    public var spectraIngested = 0
    public var rowsSkipped = 0
    public var rowsNotSelected = 0
    public var warnings = 0
    /// The objects and primaries after linking the epochs at the end of the run.
    public var epochs = EpochLinker.Summary()
    public var seconds = 0.0
    /// Every problem of this run (file failures, skipped rows, warnings).
    public var problems: [(severity: ProblemRecord.Severity, problem: InputProblem)] = []

    public var spectraPerSecond: Double { seconds > 0 ? Double(spectraIngested) / seconds : 0 }
}

/// What one worker made of one file, waiting for its in-order commit.
struct FileOutcome: Sendable {
    var path: String
    var size: Int64
    var mtime: Double
    var spectra: [PreprocessedSpectrum] = []
    var skipped: [InputProblem] = []
    var warnings: [InputProblem] = []
    var notSelected = 0
    var failure: InputProblem?
    /// `SourceRead.visit` and `.mjd` of the file.
    var visit = EpochRecord.visit(survey: "DESI")
    var mjd: [Int: ClosedRange<Double>] = [:]

    /// The epoch record of one of the file's spectra, as the object of its own
    /// TARGETID (linking may join it to another object).
    func epoch(_ record: SpectrumRecord) -> EpochRecord {
        let dates = mjd[record.sourceRow]
        return EpochRecord(spectrum: record, object: record.targetid, visit: visit, mjdMin: dates?.lowerBound,
                           mjdMax: dates?.upperBound)
    }
}

/// Reads, preprocesses and stores spectra files in parallel. Results are
/// committed in input order, one transaction per file, so a run that is killed
/// and restarted ends with exactly the store an uninterrupted run makes.
public final class IngestRunner {
    public let project: ProjectStore
    public let options: IngestOptions
    public let preprocessor: Preprocessor
    public var progress: (ProgressUpdate) -> Void = { _ in }

    public struct ProgressUpdate: Sendable {
        public var filesDone: Int
        public var filesTotal: Int
        public var spectra: Int
        public var elapsed: Double
    }

    /// `reference`: the normalization template on `grid`, when the caller has
    /// computed it already (ingest does, while it reads the catalog); it is
    /// used only for a new cache, whose reference it becomes.
    public init(project: ProjectStore, options: IngestOptions, grid: RestGrid = .standard,
                reference precomputed: [Double]? = nil) throws {
        self.project = project
        self.options = options
        let reference = try project.prepareCache(grid: grid) {
            precomputed ?? Self.reference(grid: grid)
        }
        self.preprocessor = Preprocessor(grid: grid, reference: reference)
    }

    /// The normalization template of a new cache: the simulator's mean quasar.
    public static func reference(grid: RestGrid = .standard) -> [Double] {
        QuasarModel.meanRestSpectrum(wavelengths: grid.centers)
    }

    public func run(paths: [String]) async throws -> IngestSummary {
        let start = Date()
        var summary = IngestSummary()
        let files = try InputDiscovery.files(in: paths)
        summary.filesFound = files.count
        let store = project.store

        // A cache that lost its tail (power cut before the data reached the disk):
        // forget the files whose rows are gone, so this run redoes them.
        let shard = options.shard
        let columns = preprocessor.rebinner.grid.count
        let available = min(NPYMatrixAppender.availableRows(path: project.fluxPath(shard: shard), columns: columns),
                            NPYMatrixAppender.availableRows(path: project.weightPath(shard: shard), columns: columns))
        if try store.committedRows(shard: shard) > available {
            for path in try store.forgetFiles(beyondCacheRow: available, shard: shard) {
                summary.problems.append((.warning, InputProblem(file: path, message:
                    "its cache rows were lost (the cache holds \(available) rows); ingesting it again")))
                summary.warnings += 1
            }
        }

        // Decide which files need work before starting any.
        var todo: [(path: String, size: Int64, mtime: Double)] = []
        for path in files {
            let (size, mtime) = Self.fileStamp(path)
            if let done = try store.fileRecord(path: path) {
                if !options.force, done.size == size, done.mtime == mtime {
                    summary.filesAlreadyDone += 1
                    continue
                }
                try store.forget(file: path)  // changed on disk or --force: redo it whole
            }
            todo.append((path, size, mtime))
        }

        var known = try store.epochKeys()
        var knownObjects = Set(known.map(\.targetid))
        let committed = try store.committedRows(shard: shard)
        let fluxFile = try NPYMatrixAppender(path: project.fluxPath(shard: shard), columns: columns, committedRows: committed)
        let weightFile = try NPYMatrixAppender(path: project.weightPath(shard: shard), columns: columns, committedRows: committed)

        let selection = options.selection
        let preprocessor = self.preprocessor
        let window = options.workers
        var pending: [Int: FileOutcome] = [:]
        var nextToCommit = 0
        var nextToStart = 0

        try await withThrowingTaskGroup(of: (Int, FileOutcome).self) { group in
            func startNext() {
                guard nextToStart < todo.count else { return }
                let index = nextToStart
                let item = todo[index]
                nextToStart += 1
                group.addTask {
                    // cfitsio blocks: run it off the cooperative pool.
                    let outcome = await withCheckedContinuation { (c: CheckedContinuation<FileOutcome, Never>) in
                        DispatchQueue.global().async {
                            c.resume(returning: Self.process(item.path, size: item.size, mtime: item.mtime,
                                                             selection: selection, preprocessor: preprocessor))
                        }
                    }
                    return (index, outcome)
                }
            }
            for _ in 0..<window { startNext() }
            while let (index, outcome) = try await group.next() {
                pending[index] = outcome
                // Commit every finished file that is next in input order; keep at
                // most `window` files read ahead so memory stays bounded.
                while let ready = pending.removeValue(forKey: nextToCommit) {
                    try commit(ready, known: &known, knownObjects: &knownObjects, fluxFile: fluxFile, weightFile: weightFile,
                               shard: shard, columns: columns, summary: &summary)
                    nextToCommit += 1
                    progress(ProgressUpdate(filesDone: nextToCommit, filesTotal: todo.count,
                                            spectra: summary.spectraIngested,
                                            elapsed: Date().timeIntervalSince(start)))
                }
                while nextToStart < todo.count, nextToStart - nextToCommit < 2 * window,
                      nextToStart - nextToCommit - pending.count < window {
                    startNext()
                }
            }
        }
        try fluxFile.sync()
        try weightFile.sync()
        // Always, even when no file was new: a run killed before this point
        // left its epochs unlinked, and this finishes them.
        summary.epochs = try options.linker.link(store)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    private func commit(_ outcome: FileOutcome, known: inout Set<EpochKey>, knownObjects: inout Set<TargetID>,
                        fluxFile: NPYMatrixAppender,
                        weightFile: NPYMatrixAppender, shard: String, columns: Int,
                        summary: inout IngestSummary) throws {
        let store = project.store
        let now = Date().timeIntervalSince1970
        if let failure = outcome.failure {
            summary.filesFailed += 1
            summary.problems.append((.file, failure))
            let record = IngestedFileRecord(path: outcome.path, size: outcome.size, mtime: outcome.mtime,
                                            status: .failed, nSpectra: 0, nSkipped: 0, ingestedAt: now)
            try store.commit(FileCommit(file: record, spectra: [], problems: [ProblemRecord(failure, severity: .file)]),
                             shard: shard, shardRows: fluxFile.rows, columns: columns)
            return
        }
        var skipped = outcome.skipped
        var accepted: [PreprocessedSpectrum] = []
        for s in outcome.spectra {
            let key = EpochKey(targetid: s.info.targetID, visit: outcome.visit)
            if known.contains(key) {
                let first = (try? store.sourceFile(of: key)).flatMap { $0 } ?? "an earlier row"
                skipped.append(InputProblem(file: s.sourceFile, hdu: s.sourceHDU, column: "TARGETID", row: s.sourceRow,
                                            message: "duplicate TARGETID \(key.targetid) (\(key.visit)), already stored from \(first); skipped"))
                continue
            }
            known.insert(key)
            accepted.append(s)
        }

        let firstRow = fluxFile.rows
        if !accepted.isEmpty {
            // Rows reach the page cache before the store commits them, so a killed
            // process never leaves the store pointing past the cache. No fsync per
            // file: a power cut is handled on the next run (see above).
            try fluxFile.append(rows: accepted.map(\.flux))
            try weightFile.append(rows: accepted.map(\.weight))
            try fluxFile.publish()
            try weightFile.publish()
            fluxFile.startWriteback(rows: firstRow..<fluxFile.rows)
            weightFile.startWriteback(rows: firstRow..<weightFile.rows)
        }
        let records = accepted.enumerated().map { i, s in
            Self.record(s, shard: shard, row: firstRow + i)
        }
        // A spectrum of a TARGETID stored before is another epoch of that
        // object; only a new TARGETID gets a spectrum row now. Linking at the
        // end of the run chooses each object's primary.
        let epochs = records.map(outcome.epoch)
        let newObjects = records.filter { !knownObjects.contains($0.targetid) }
        knownObjects.formUnion(records.map(\.targetid))
        var warnings = outcome.warnings
        for s in accepted { warnings += s.warnings }
        let problems = skipped.map { ProblemRecord($0, severity: .skipped) } + warnings.map { ProblemRecord($0, severity: .warning) }
        let file = IngestedFileRecord(path: outcome.path, size: outcome.size, mtime: outcome.mtime, status: .done,
                                      nSpectra: accepted.count, nSkipped: skipped.count, ingestedAt: now)
        try store.commit(FileCommit(file: file, spectra: newObjects, problems: problems, epochs: epochs),
                         shard: shard, shardRows: fluxFile.rows, columns: columns)

        summary.filesIngested += 1
        summary.spectraIngested += accepted.count
        summary.rowsSkipped += skipped.count
        summary.rowsNotSelected += outcome.notSelected
        summary.warnings += warnings.count
        summary.problems += skipped.map { (.skipped, $0) } + warnings.map { (.warning, $0) }
    }

    static func record(_ s: PreprocessedSpectrum, shard: String, row: Int) -> SpectrumRecord {
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        return SpectrumRecord(
            targetid: s.info.targetID, ra: finite(s.info.ra), dec: finite(s.info.dec), z: s.info.z,
            zSource: s.info.zSource.rawValue, spectype: s.info.spectype, zwarn: s.info.zwarn,
            deltachi2: finite(s.info.deltaChi2), balProb: finite(s.info.balProb), biCiv: finite(s.info.biCIV),
            aiCiv: finite(s.info.aiCIV), snr: s.snr, amplitude: s.amplitude, maskFrac: s.maskFraction,
            zeroIvarFrac: s.zeroIvarFraction, armStep: s.armStep, nbins: s.coveredBins, flags: s.flags.rawValue,
            survey: s.survey, sourceFile: s.sourceFile, sourceHdu: s.sourceHDU, sourceRow: s.sourceRow,
            cacheShard: shard, cacheRow: row, noiseScale: s.noiseScale)
    }

    /// Reads and preprocesses one file; never throws: a bad file becomes a failure.
    static func process(_ path: String, size: Int64, mtime: Double, selection: SampleSelection,
                        preprocessor: Preprocessor) -> FileOutcome {
        var outcome = FileOutcome(path: path, size: size, mtime: mtime)
        let source: SpectrumSource = ARDTileSource.isTileName(path) ? ARDTileSource()
            : SDSSSpecFile.isSDSSName(path) ? SDSSSpecSource() as SpectrumSource : DESICoaddSource()
        // One workspace for the whole file: its buffers and merge plan serve every row.
        let workspace = PreprocessingWorkspace(bins: preprocessor.rebinner.grid.count)
        let file: PreprocessedFile
        do {
            if let desi = source as? DESICoaddSource {
                file = try desi.preprocess(path, selection: selection, preprocessor: preprocessor, workspace: workspace)
            } else {
                file = PreprocessedFile(preprocessing: try source.read(path, selection: selection),
                                        preprocessor: preprocessor, workspace: workspace)
            }
        } catch let e as FITSError {
            outcome.failure = e.problem
            return outcome
        } catch let e as InputProblem {
            outcome.failure = e
            return outcome
        } catch {
            outcome.failure = InputProblem(file: path, message: "\(error)")
            return outcome
        }
        outcome.skipped = file.read.skipped + file.rejected
        outcome.warnings = file.read.warnings
        outcome.notSelected = file.read.notSelected
        outcome.spectra = file.spectra
        outcome.visit = file.read.visit
        outcome.mjd = file.read.mjd
        return outcome
    }

    static func fileStamp(_ path: String) -> (Int64, Double) {
        let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return (size, mtime)
    }
}
