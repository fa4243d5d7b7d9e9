import GRDB
import QADCore
import QADCrossmatch

extension SQLiteStore: CrossmatchStore {
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
        for m in matches where m.catalog != catalog.name {
            throw LocatedError("crossmatch \(catalog.name): a match of TARGETID \(m.targetid) names catalog \(m.catalog)")
        }
        try pool.write { db in
            // The catalog row goes too (its matches by cascade), and comes back with the new ones.
            try db.execute(sql: "DELETE FROM crossmatch_match WHERE catalog = ?", arguments: [catalog.name])
            try db.execute(sql: "DELETE FROM crossmatch_catalog WHERE name = ?", arguments: [catalog.name])
            try db.insert([catalog])
            try db.insert(matches)
        }
    }

    public func crossmatchCatalogs() throws -> [CrossmatchCatalogRecord] {
        try pool.read { try $0.fetchAll(CrossmatchCatalogRecord.self, order: "name", source: path) }
    }

    public func crossmatches(catalog: String) throws -> [CrossmatchMatchRecord] {
        try pool.read {
            try $0.fetchAll(CrossmatchMatchRecord.self, where: "catalog = ?", arguments: [catalog], order: "targetid",
                            source: path)
        }
    }

    public func crossmatches(of targetid: TargetID) throws -> [CrossmatchMatchRecord] {
        try pool.read {
            try $0.fetchAll(CrossmatchMatchRecord.self, where: "targetid = ?", arguments: [targetid], order: "catalog",
                            source: path)
        }
    }
}
