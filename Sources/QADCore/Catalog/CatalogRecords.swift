/// One ingested spectrum: catalog columns plus its row in the spectral cache.
public struct SpectrumRecord: Sendable, Equatable {
    public var targetid: TargetID
    public var ra: Double?
    public var dec: Double?
    public var z: Double
    public var zSource: String
    public var spectype: String?
    public var zwarn: Int64?
    public var deltachi2: Double?
    public var balProb: Double?
    public var biCiv: Double?
    public var aiCiv: Double?
    public var snr: Double
    public var amplitude: Double
    public var maskFrac: Double
    public var zeroIvarFrac: Double
    public var armStep: Double
    /// Scatter over claimed error (docs/preprocessing.md §5); 1 for spectra
    /// ingested before it was measured.
    public var noiseScale: Double
    public var nbins: Int
    public var flags: Int64
    public var survey: String
    public var sourceFile: String
    public var sourceHdu: String
    public var sourceRow: Int
    public var cacheShard: String
    public var cacheRow: Int

    public init(targetid: TargetID, ra: Double?, dec: Double?, z: Double, zSource: String, spectype: String?,
                zwarn: Int64?, deltachi2: Double?, balProb: Double?, biCiv: Double?, aiCiv: Double?,
                snr: Double, amplitude: Double, maskFrac: Double, zeroIvarFrac: Double, armStep: Double,
                nbins: Int, flags: Int64, survey: String, sourceFile: String, sourceHdu: String,
                sourceRow: Int, cacheShard: String, cacheRow: Int, noiseScale: Double = 1) {
        self.targetid = targetid
        self.ra = ra
        self.dec = dec
        self.z = z
        self.zSource = zSource
        self.spectype = spectype
        self.zwarn = zwarn
        self.deltachi2 = deltachi2
        self.balProb = balProb
        self.biCiv = biCiv
        self.aiCiv = aiCiv
        self.snr = snr
        self.amplitude = amplitude
        self.maskFrac = maskFrac
        self.zeroIvarFrac = zeroIvarFrac
        self.armStep = armStep
        self.noiseScale = noiseScale
        self.nbins = nbins
        self.flags = flags
        self.survey = survey
        self.sourceFile = sourceFile
        self.sourceHdu = sourceHdu
        self.sourceRow = sourceRow
        self.cacheShard = cacheShard
        self.cacheRow = cacheRow
    }

    /// A broad-absorption-line quasar by the VAC's BAL_PROB or a positive BI_CIV.
    public func isBAL(threshold: Double = 0.5) -> Bool {
        Self.isBAL(balProb: balProb, biCiv: biCiv, threshold: threshold)
    }

    /// The rule, for readers that hold only the two columns.
    public static func isBAL(balProb: Double?, biCiv: Double?, threshold: Double = 0.5) -> Bool {
        (balProb ?? 0) >= threshold || (biCiv ?? 0) > 0
    }
}

extension SpectrumRecord: StoredRecord {
    public static let table = StoredTable<SpectrumRecord>(
        "spectrum", createdBy: SchemaHistory.catalog,
        columns: [
            .int64("targetid", \.targetid), .double("ra", \.ra), .double("dec", \.dec), .double("z", \.z),
            .text("z_source", \.zSource), .text("spectype", \.spectype), .int64("zwarn", \.zwarn),
            .double("deltachi2", \.deltachi2), .double("bal_prob", \.balProb), .double("bi_civ", \.biCiv),
            .double("ai_civ", \.aiCiv), .double("snr", \.snr), .double("amplitude", \.amplitude),
            .double("mask_frac", \.maskFrac), .double("zero_ivar_frac", \.zeroIvarFrac),
            .double("arm_step", \.armStep), .int("nbins", \.nbins), .int64("flags", \.flags),
            .text("survey", \.survey), .text("source_file", \.sourceFile), .text("source_hdu", \.sourceHdu),
            .int("source_row", \.sourceRow), .text("cache_shard", \.cacheShard), .int("cache_row", \.cacheRow),
            .double("noise_scale", \.noiseScale, addedBy: SchemaHistory.noiseScale, defaultValue: 1),
        ],
        primaryKey: ["targetid"], unique: [["cache_shard", "cache_row"]],
        indexes: [StoredIndex("spectrum_source_file", ["source_file"], createdBy: SchemaHistory.catalog)])

    public static var blank: SpectrumRecord {
        SpectrumRecord(targetid: 0, ra: nil, dec: nil, z: 0, zSource: "", spectype: nil, zwarn: nil, deltachi2: nil,
                       balProb: nil, biCiv: nil, aiCiv: nil, snr: 0, amplitude: 0, maskFrac: 0, zeroIvarFrac: 0,
                       armStep: 0, nbins: 0, flags: 0, survey: "", sourceFile: "", sourceHdu: "", sourceRow: 0,
                       cacheShard: "", cacheRow: 0)
    }
}

/// An input file the store has seen: done files are skipped on re-runs unless
/// their size or modification time changed.
public struct IngestedFileRecord: Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case done, failed }

    public var path: String
    public var size: Int64
    public var mtime: Double
    public var status: Status
    public var nSpectra: Int
    public var nSkipped: Int
    public var ingestedAt: Double

    public init(path: String, size: Int64, mtime: Double, status: Status, nSpectra: Int, nSkipped: Int, ingestedAt: Double) {
        self.path = path
        self.size = size
        self.mtime = mtime
        self.status = status
        self.nSpectra = nSpectra
        self.nSkipped = nSkipped
        self.ingestedAt = ingestedAt
    }
}

extension IngestedFileRecord: StoredRecord {
    public static let table = StoredTable<IngestedFileRecord>(
        "ingested_file", createdBy: SchemaHistory.catalog,
        columns: [.text("path", \.path), .int64("size", \.size), .double("mtime", \.mtime),
                  .rawText("status", \.status), .int("n_spectra", \.nSpectra), .int("n_skipped", \.nSkipped),
                  .double("ingested_at", \.ingestedAt)],
        primaryKey: ["path"])

    public static var blank: IngestedFileRecord {
        IngestedFileRecord(path: "", size: 0, mtime: 0, status: .failed, nSpectra: 0, nSkipped: 0, ingestedAt: 0)
    }
}

/// A problem found in the input, kept with the file it came from.
public struct ProblemRecord: Sendable, Equatable {
    public enum Severity: String, Codable, Sendable {
        /// The whole file could not be used.
        case file
        /// One row was skipped.
        case skipped
        /// The row was kept after repair (e.g. corrupt pixels zeroed).
        case warning
    }

    /// Assigned by the store.
    public var id: Int64?
    public var file: String
    public var hdu: String?
    public var column: String?
    public var row: Int?
    public var severity: Severity
    public var message: String

    public init(_ p: InputProblem, severity: Severity) {
        file = p.file
        hdu = p.hdu
        column = p.column
        row = p.row
        self.severity = severity
        message = p.message
    }

    public static func == (a: ProblemRecord, b: ProblemRecord) -> Bool {
        (a.file, a.hdu, a.column, a.row, a.severity, a.message) == (b.file, b.hdu, b.column, b.row, b.severity, b.message)
    }
}

extension ProblemRecord: StoredRecord {
    public static let table = StoredTable<ProblemRecord>(
        "input_problem", createdBy: SchemaHistory.catalog,
        columns: [.generatedID("id", \.id), .text("file", \.file), .text("hdu", \.hdu), .text("column", \.column),
                  .int("row", \.row), .rawText("severity", \.severity), .text("message", \.message)],
        indexes: [StoredIndex("input_problem_file", ["file"], createdBy: SchemaHistory.catalog)])

    public static var blank: ProblemRecord { ProblemRecord(InputProblem(file: "", message: ""), severity: .warning) }
}

/// Committed row count of one cache shard (its `.npy` pair may hold more after a crash).
public struct CacheShardRecord: Sendable, Equatable {
    public var name: String
    public var rows: Int
    public var columns: Int

    public init(name: String, rows: Int, columns: Int) {
        self.name = name
        self.rows = rows
        self.columns = columns
    }
}

extension CacheShardRecord: StoredRecord {
    public static let table = StoredTable<CacheShardRecord>(
        "cache_shard", createdBy: SchemaHistory.catalog,
        columns: [.text("name", \.name), .int("rows", \.rows), .int("columns", \.columns)],
        primaryKey: ["name"])

    public static var blank: CacheShardRecord { CacheShardRecord(name: "", rows: 0, columns: 0) }
}
