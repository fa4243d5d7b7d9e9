/// One ingested spectrum of an object: every spectrum ingest keeps, the
/// object's primary among them. The `spectrum` table holds one row per
/// object, a copy of its primary epoch's record keyed by the object's
/// TARGETID; that is the row training and scoring see (docs/epochs.md).
public struct EpochRecord: Sendable, Equatable {
    /// The spectrum as ingest made it; `targetid` is the spectrum's own id
    /// (a DESI TARGETID, or the id of an SDSS plate-MJD-fiber).
    public var spectrum: SpectrumRecord
    /// The object it is an epoch of: the `spectrum` table's TARGETID.
    public var object: TargetID
    /// What tells two spectra with one TARGETID apart: DESI's survey/program
    /// ("main/dark"), "SDSS" for SDSS spectra (whose id is the observation).
    /// A second spectrum with the same TARGETID and visit is a duplicate.
    public var visit: String
    /// Dates the spectrum's exposures span (MJD), when the file says.
    public var mjdMin: Double?
    public var mjdMax: Double?

    public init(spectrum: SpectrumRecord, object: TargetID, visit: String, mjdMin: Double?, mjdMax: Double?) {
        self.spectrum = spectrum
        self.object = object
        self.visit = visit
        self.mjdMin = mjdMin
        self.mjdMax = mjdMax
    }

    /// The spectrum's own id and visit: its identity in the store.
    public var key: EpochKey { EpochKey(targetid: spectrum.targetid, visit: visit) }

    /// The middle of the dates the spectrum spans.
    public var mjd: Double? {
        switch (mjdMin, mjdMax) {
        case let (a?, b?): return (a + b) / 2
        case let (a?, nil), let (nil, a?): return a
        default: return nil
        }
    }

    /// The visit of every SDSS spectrum: its id already names the observation.
    public static let sdssVisit = "SDSS"

    /// The visit of a spectrum whose file named none: its survey's ("desi").
    /// Schema step v9 gives stored spectra the same in SQL.
    public static func visit(survey: String) -> String {
        survey == "SDSS" ? sdssVisit : survey.lowercased()
    }
}

/// A spectrum's identity among the epochs.
public struct EpochKey: Sendable, Hashable {
    public var targetid: TargetID
    public var visit: String

    public init(targetid: TargetID, visit: String) {
        self.targetid = targetid
        self.visit = visit
    }
}

extension EpochRecord: StoredRecord {
    public static let table = StoredTable<EpochRecord>(
        "epoch", createdBy: SchemaHistory.epochs,
        columns: SpectrumRecord.table.columns.map { .nested($0, at: \EpochRecord.spectrum) } + [
            .int64("object", \.object), .text("visit", \.visit),
            .double("mjd_min", \.mjdMin), .double("mjd_max", \.mjdMax),
        ],
        primaryKey: ["targetid", "visit"], unique: [["cache_shard", "cache_row"]],
        indexes: [StoredIndex("epoch_object", ["object"], createdBy: SchemaHistory.epochs),
                  StoredIndex("epoch_source_file", ["source_file"], createdBy: SchemaHistory.epochs)])

    public static var blank: EpochRecord {
        EpochRecord(spectrum: .blank, object: 0, visit: "", mjdMin: nil, mjdMax: nil)
    }
}

/// What `qad epochs` found for one object with repeat epochs: its most
/// variable pair's calibrated `variability` (σ) and the flags of all its pairs.
/// The broad lines whose change the store keeps per object (names as `qad
/// epochs` reports them, in `BroadLineWindow.standard`'s order), with the
/// stems of their column names.
public enum EpochLine {
    public static let names = ["Lyα", "CIV", "CIII]", "MgII", "Hβ", "Hα"]
    public static let stems = ["lya", "civ", "ciii", "mgii", "hbeta", "halpha"]
}

public struct EpochVariabilityRecord: Sendable, Equatable {
    public var object: TargetID
    public var epochs: Int
    /// The most variable pair's baseline, rest-frame days (nil without dates).
    public var restFrameDays: Double?
    public var variability: Double
    /// "Hβ broad vanished; …", nil when no pair shows a changing look.
    public var changingLook: String?
    /// "QSO → STAR", nil when the pipeline's class never changes.
    public var classChange: String?
    public var redshiftConflict: Bool
    /// The most variable pair's localized difference (σ), its rest wavelength
    /// (Å), and its continuum ratio; nil where not measured.
    public var localSignificance: Double?
    public var localRestLambda: Double?
    public var continuumRatio: Double?
    /// Per `EpochLine`, in the most variable pair: the later epoch's broad-line
    /// flux over the earlier's (on the earlier's calibration), and the flux
    /// change over its error (σ); nil where the pair does not cover the line.
    public var lineRatio: [Double?]
    public var lineChangeSignificance: [Double?]

    /// Non-finite measurements are stored as missing. `lines` maps a line's
    /// name (`EpochLine.names`) to its ratio and change significance.
    public init(object: TargetID, epochs: Int, restFrameDays: Double, variability: Double, changingLook: String?,
                classChange: String?, redshiftConflict: Bool, localSignificance: Double, localRestLambda: Double,
                continuumRatio: Double, lines: [String: (ratio: Double, significance: Double)] = [:]) {
        func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
        self.object = object
        self.epochs = epochs
        self.restFrameDays = finite(restFrameDays)
        self.variability = variability
        self.changingLook = changingLook
        self.classChange = classChange
        self.redshiftConflict = redshiftConflict
        self.localSignificance = finite(localSignificance)
        self.localRestLambda = finite(localRestLambda)
        self.continuumRatio = finite(continuumRatio)
        lineRatio = EpochLine.names.map { lines[$0].flatMap { finite($0.ratio) } }
        lineChangeSignificance = EpochLine.names.map { lines[$0].flatMap { finite($0.significance) } }
    }
}

extension EpochVariabilityRecord: StoredRecord {
    public static let table = StoredTable<EpochVariabilityRecord>(
        "epoch_variability", createdBy: SchemaHistory.epochVariability,
        columns: [.int64("object", \.object), .int("epochs", \.epochs), .double("rest_frame_days", \.restFrameDays),
                  .double("variability", \.variability), .text("changing_look", \.changingLook),
                  .text("class_change", \.classChange), .bool("redshift_conflict", \.redshiftConflict),
                  .double("local_significance", \.localSignificance), .double("local_rest_lambda", \.localRestLambda),
                  .double("continuum_ratio", \.continuumRatio)]
            + EpochLine.stems.indices.flatMap { i -> [StoredColumn<EpochVariabilityRecord>] in
                [.double("\(EpochLine.stems[i])_ratio", \.lineRatio[i], addedBy: SchemaHistory.epochLineChanges),
                 .double("\(EpochLine.stems[i])_change_sigma", \.lineChangeSignificance[i],
                         addedBy: SchemaHistory.epochLineChanges)]
            },
        primaryKey: ["object"],
        indexes: [StoredIndex("epoch_variability_rank", ["variability DESC"], createdBy: SchemaHistory.epochVariability)])

    public static var blank: EpochVariabilityRecord {
        EpochVariabilityRecord(object: 0, epochs: 0, restFrameDays: 0, variability: 0, changingLook: nil, classChange: nil,
                               redshiftConflict: false, localSignificance: 0, localRestLambda: 0, continuumRatio: 0)
    }
}
