import GRDB
import QADCore

/// One ingested spectrum: catalog columns plus its row in the spectral cache.
public struct SpectrumRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "spectrum"

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
                sourceRow: Int, cacheShard: String, cacheRow: Int) {
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
        self.nbins = nbins
        self.flags = flags
        self.survey = survey
        self.sourceFile = sourceFile
        self.sourceHdu = sourceHdu
        self.sourceRow = sourceRow
        self.cacheShard = cacheShard
        self.cacheRow = cacheRow
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// Column order of `insertSQL` and `insertArguments`, for bulk inserts.
    static let insertColumns = ["targetid", "ra", "dec", "z", "z_source", "spectype", "zwarn", "deltachi2",
                                "bal_prob", "bi_civ", "ai_civ", "snr", "amplitude", "mask_frac", "zero_ivar_frac",
                                "arm_step", "nbins", "flags", "survey", "source_file", "source_hdu", "source_row",
                                "cache_shard", "cache_row"]
    static let insertSQL = "INSERT INTO spectrum (\(insertColumns.joined(separator: ", "))) VALUES ("
        + Array(repeating: "?", count: insertColumns.count).joined(separator: ", ") + ")"

    var insertArguments: StatementArguments {
        [targetid, ra, dec, z, zSource, spectype, zwarn, deltachi2, balProb, biCiv, aiCiv, snr, amplitude, maskFrac,
         zeroIvarFrac, armStep, nbins, flags, survey, sourceFile, sourceHdu, sourceRow, cacheShard, cacheRow]
    }
}

/// An input file the store has seen: done files are skipped on re-runs unless
/// their size or modification time changed.
public struct IngestedFileRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "ingested_file"

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

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// A problem found in the input, kept with the file it came from.
public struct ProblemRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "input_problem"

    public enum Severity: String, Codable, Sendable {
        /// The whole file could not be used.
        case file
        /// One row was skipped.
        case skipped
        /// The row was kept after repair (e.g. corrupt pixels zeroed).
        case warning
    }

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

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// Committed row count of one cache shard (its `.npy` pair may hold more after a crash).
public struct CacheShardRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cache_shard"
    public var name: String
    public var rows: Int
    public var columns: Int
}
