import Foundation
import GRDB
import QADCore

/// One cross-matched external catalog: where it came from, how it was
/// matched, and the columns its matches keep.
public struct CrossmatchCatalogRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "crossmatch_catalog"

    /// The name given with --name (e.g. "allwise"); matches are stored per name.
    public var name: String
    public var path: String
    public var raColumn: String
    public var decColumn: String
    /// The catalog's id column as it spells it ("ROW" when sources are named by row).
    public var idColumn: String
    public var radiusArcsec: Double
    public var preset: String?
    public var sourcesRead: Int
    public var targets: Int
    public var matchedTargets: Int
    public var pairs: Int
    /// JSON array of {name, kind, unit, description}: the kept and derived columns, in
    /// the order of each match's `values`.
    public var columnsJson: String
    public var matchedAt: Double

    public init(name: String, path: String, raColumn: String, decColumn: String, idColumn: String, radiusArcsec: Double,
                preset: String?, sourcesRead: Int, targets: Int, matchedTargets: Int, pairs: Int, columnsJson: String,
                matchedAt: Double) {
        self.name = name
        self.path = path
        self.raColumn = raColumn
        self.decColumn = decColumn
        self.idColumn = idColumn
        self.radiusArcsec = radiusArcsec
        self.preset = preset
        self.sourcesRead = sourcesRead
        self.targets = targets
        self.matchedTargets = matchedTargets
        self.pairs = pairs
        self.columnsJson = columnsJson
        self.matchedAt = matchedAt
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One target's match against one catalog (a row for every target, matched or not).
public struct CrossmatchMatchRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "crossmatch_match"

    public var catalog: String
    public var targetid: TargetID
    /// Id of the nearest source within the radius, as text (integers exact); nil without a match.
    public var nearestId: String?
    public var sepArcsec: Double?
    /// Sources within the radius.
    public var nWithin: Int
    /// JSON array of the nearest source's kept and derived values, in the
    /// catalog record's column order; int64 values as strings (exact), NaN as null.
    public var valuesJson: String?
    /// Catalog sources per deg² around the target, its counterparts excluded.
    public var densityDeg2: Double
    /// Area the density was counted over (deg²).
    public var densityAreaDeg2: Double
    /// Expected unrelated sources within the radius: density × π r².
    public var chanceMatches: Double

    public init(catalog: String, targetid: TargetID, nearestId: String?, sepArcsec: Double?, nWithin: Int,
                valuesJson: String?, densityDeg2: Double, densityAreaDeg2: Double, chanceMatches: Double) {
        self.catalog = catalog
        self.targetid = targetid
        self.nearestId = nearestId
        self.sepArcsec = sepArcsec
        self.nWithin = nWithin
        self.valuesJson = valuesJson
        self.densityDeg2 = densityDeg2
        self.densityAreaDeg2 = densityAreaDeg2
        self.chanceMatches = chanceMatches
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    static let insertSQL = """
        INSERT INTO crossmatch_match (catalog, targetid, nearest_id, sep_arcsec, n_within, values_json, density_deg2,
            density_area_deg2, chance_matches) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
}

/// A target's position as the store has it, for matching.
public struct TargetPosition: Sendable, Equatable {
    public var targetid: TargetID
    public var ra: Double
    public var dec: Double
}

/// What `qad crossmatch` and `qad export` need from a store.
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

extension SQLiteStore: CrossmatchStore {
    /// Registered by `SQLiteStore.migrator` after the migrations before it.
    static func registerCrossmatchMigration(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3 crossmatch: external catalogs and per-target matches") { db in
            try db.create(table: "crossmatch_catalog") { t in
                t.column("name", .text).primaryKey()
                t.column("path", .text).notNull()
                t.column("ra_column", .text).notNull()
                t.column("dec_column", .text).notNull()
                t.column("id_column", .text).notNull()
                t.column("radius_arcsec", .double).notNull()
                t.column("preset", .text)
                t.column("sources_read", .integer).notNull()
                t.column("targets", .integer).notNull()
                t.column("matched_targets", .integer).notNull()
                t.column("pairs", .integer).notNull()
                t.column("columns_json", .text).notNull()
                t.column("matched_at", .double).notNull()
            }
            try db.create(table: "crossmatch_match") { t in
                t.column("catalog", .text).notNull().references("crossmatch_catalog", onDelete: .cascade)
                t.column("targetid", .integer).notNull()
                t.column("nearest_id", .text)
                t.column("sep_arcsec", .double)
                t.column("n_within", .integer).notNull()
                t.column("values_json", .text)
                t.column("density_deg2", .double).notNull()
                t.column("density_area_deg2", .double).notNull()
                t.column("chance_matches", .double).notNull()
                t.primaryKey(["catalog", "targetid"])
            }
        }
    }

    public func targetPositions() throws -> [TargetPosition] {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT targetid, ra, dec FROM spectrum WHERE ra IS NOT NULL AND dec IS NOT NULL ORDER BY targetid
                """)
            var out: [TargetPosition] = []
            while let row = try cursor.next() { out.append(TargetPosition(targetid: row[0], ra: row[1], dec: row[2])) }
            return out
        }
    }

    public func targetsWithoutPosition() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM spectrum WHERE ra IS NULL OR dec IS NULL") ?? 0 }
    }

    public func replaceCrossmatch(_ catalog: CrossmatchCatalogRecord, matches: [CrossmatchMatchRecord]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM crossmatch_match WHERE catalog = ?", arguments: [catalog.name])
            try catalog.save(db)
            let insert = try db.cachedStatement(sql: CrossmatchMatchRecord.insertSQL)
            for m in matches {
                guard m.catalog == catalog.name else {
                    throw StoreError("crossmatch \(catalog.name): a match of TARGETID \(m.targetid) names catalog \(m.catalog)")
                }
                try insert.execute(arguments: [m.catalog, m.targetid, m.nearestId, m.sepArcsec, m.nWithin, m.valuesJson,
                                               m.densityDeg2, m.densityAreaDeg2, m.chanceMatches])
            }
        }
    }

    public func crossmatchCatalogs() throws -> [CrossmatchCatalogRecord] {
        try pool.read { try CrossmatchCatalogRecord.order(Column("name")).fetchAll($0) }
    }

    public func crossmatches(catalog: String) throws -> [CrossmatchMatchRecord] {
        try pool.read {
            try CrossmatchMatchRecord.filter(Column("catalog") == catalog).order(Column("targetid")).fetchAll($0)
        }
    }

    public func crossmatches(of targetid: TargetID) throws -> [CrossmatchMatchRecord] {
        try pool.read {
            try CrossmatchMatchRecord.filter(Column("targetid") == targetid).order(Column("catalog")).fetchAll($0)
        }
    }
}
