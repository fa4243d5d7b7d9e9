import GRDB
import QADCore
import QADModel

extension SQLiteStore: ModelOutputStore {
    public func cacheRows(shard: String, in rows: Range<Int>) throws -> [CacheRowRef] {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT targetid, cache_row FROM spectrum
                WHERE cache_shard = ? AND cache_row >= ? AND cache_row < ? ORDER BY cache_row
                """, arguments: [shard, rows.lowerBound, rows.upperBound])
            var out: [CacheRowRef] = []
            while let row = try cursor.next() { out.append(CacheRowRef(targetid: row[0], row: row[1])) }
            return out
        }
    }

    public func inferenceProgress(model: String) throws -> ModelInferenceRecord? {
        try pool.read { try $0.fetchOne(ModelInferenceRecord.self, where: "model = ?", arguments: [model], source: path) }
    }

    public func commitInference(_ outputs: [ModelOutputRecord], progress: ModelInferenceRecord) throws {
        try pool.write { db in
            try db.insert(outputs, verb: "INSERT OR REPLACE")
            try db.insert([progress], verb: "INSERT OR REPLACE")
        }
    }

    public func resetInference(model: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM model_output WHERE model = ?", arguments: [model])
            try db.execute(sql: "DELETE FROM model_inference WHERE model = ?", arguments: [model])
        }
    }

    public func modelOutputs(model: String) throws -> [ModelOutputRecord] {
        try pool.read {
            try $0.fetchAll(ModelOutputRecord.self, where: "model = ?", arguments: [model], order: "cache_shard, cache_row",
                            source: path)
        }
    }
}
