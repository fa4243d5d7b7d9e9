import GRDB
import QADCore

extension SQLiteStore {
    public func epochKeys() throws -> Set<EpochKey> {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT targetid, visit FROM epoch")
            var out = Set<EpochKey>()
            while let row = try cursor.next() { out.insert(EpochKey(targetid: row[0], visit: row[1])) }
            return out
        }
    }

    public func sourceFile(of epoch: EpochKey) throws -> String? {
        try pool.read {
            try String.fetchOne($0, sql: "SELECT source_file FROM epoch WHERE targetid = ? AND visit = ?",
                                arguments: [epoch.targetid, epoch.visit])
        }
    }

    public func epochs() throws -> [EpochRecord] {
        try pool.read { try $0.fetchAll(EpochRecord.self, order: "cache_shard, cache_row", source: path) }
    }

    public func epochs(of object: TargetID) throws -> [EpochRecord] {
        try pool.read {
            try $0.fetchAll(EpochRecord.self, where: "object = ?", arguments: [object],
                            order: "(mjd_min + mjd_max) IS NULL, (mjd_min + mjd_max), cache_shard, cache_row", source: path)
        }
    }

    public func applyEpochLinks(_ links: EpochLinks) throws -> Bool {
        try pool.write { db in
            for m in links.moved {
                try db.execute(sql: "UPDATE epoch SET object = ? WHERE targetid = ? AND visit = ?",
                               arguments: [m.object, m.key.targetid, m.key.visit])
            }
            // Every changed object's row goes first, so a primary that moves
            // between objects never meets its old row's cache-row key.
            for id in links.removedObjects + links.primaries.map(\.targetid) {
                try db.execute(sql: "DELETE FROM spectrum WHERE targetid = ?", arguments: [id])
            }
            try db.insert(links.primaries)
            let stale = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM model_output o LEFT JOIN spectrum s ON s.targetid = o.targetid
                               WHERE s.targetid IS NULL OR s.cache_shard <> o.cache_shard OR s.cache_row <> o.cache_row)
                """) ?? false
            if stale {
                for table in ["model_output", "model_inference", "score_run"] { try db.execute(sql: "DELETE FROM \(table)") }
            }
            return stale
        }
    }
}

extension SQLiteStore {
    public func replaceEpochVariability(_ records: [EpochVariabilityRecord]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM epoch_variability")
            try db.insert(records)
        }
    }

    public func epochVariability() throws -> [EpochVariabilityRecord] {
        try pool.read { try $0.fetchAll(EpochVariabilityRecord.self, order: "variability DESC, object", source: path) }
    }

    public func epochVariability(of object: TargetID) throws -> EpochVariabilityRecord? {
        try pool.read {
            try $0.fetchOne(EpochVariabilityRecord.self, where: "object = ?", arguments: [object], source: path)
        }
    }
}
