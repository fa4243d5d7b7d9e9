import Foundation
import PostgresNIO
import QADCore

/// Reads an upstream analysis-ready quasar table such as `ard.qso_ard`, named
/// by `postgres://USER@HOST:PORT/DATABASE/SCHEMA.TABLE` (schema `public` when
/// the last part has no dot). TARGETID, Z_HELIO, SPECTYPE and BAL_PROB are
/// required; LATENT_VEC (a float array or float32 bytes), RECON_MSE and
/// ANOMALY_SCORE are read when present. Column names match case-insensitively.
public struct ARDTableReader {
    public let url: PostgresURL
    public let schema: String
    public let table: String

    static let required = ["targetid", "z_helio", "spectype", "bal_prob"]
    static let optional = ["latent_vec", "recon_mse", "anomaly_score"]

    public init(url string: String) throws {
        var url = try PostgresURL(string)
        guard let last = url.extraPath.last, url.extraPath.count == 1 else {
            throw LocatedError("\(url): name the table as postgres://USER@HOST:PORT/DATABASE/SCHEMA.TABLE")
        }
        url.extraPath = []
        self.url = url
        if let dot = last.firstIndex(of: ".") {
            schema = String(last[..<dot])
            table = String(last[last.index(after: dot)...])
        } else {
            schema = "public"
            table = last
        }
    }

    public var name: String { "\(url)/\(schema).\(table)" }

    /// Every row of the table.
    public func read() throws -> [UpstreamARDRecord] {
        let pool = PostgresConnectionPool(url: url, maxConnections: 1)
        defer { pool.close() }
        let logger = pool.logger
        let schema = self.schema, table = self.table, name = self.name
        // The table's real column names and types, looked up with bound values;
        // only names found there are ever quoted into the SELECT.
        let found = try pool.withConnection { c in
            try await c.query("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = \(schema) AND table_name = \(table)
                """, logger: logger).collect().map { try $0.decode((String, String).self) }
        }
        guard !found.isEmpty else { throw LocatedError("\(name): no such table (or no columns visible to this user)") }
        var columns: [String: (name: String, type: String)] = [:]
        for (column, type) in found { columns[column.lowercased()] = (column, type) }
        let missing = Self.required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw LocatedError("\(name): missing column(s) \(missing.map { $0.uppercased() }.joined(separator: ", "))")
        }
        func select(_ key: String, cast: String) -> String {
            guard let c = columns[key] else { return "NULL::\(cast)" }
            return "\(quoted(c.name))::\(cast)"
        }
        let latent: String
        switch columns["latent_vec"]?.type {
        case nil: latent = "NULL::float8[] AS latent_array, NULL::bytea AS latent_bytes"
        case "ARRAY"?: latent = "\(quoted(columns["latent_vec"]!.name))::float8[] AS latent_array, NULL::bytea AS latent_bytes"
        case "bytea"?: latent = "NULL::float8[] AS latent_array, \(quoted(columns["latent_vec"]!.name)) AS latent_bytes"
        case let other?: throw LocatedError("\(name): column LATENT_VEC is \(other); expected a float array or bytea")
        }
        let sql = """
            SELECT \(select("targetid", cast: "int8")) AS targetid, \(select("z_helio", cast: "float8")) AS z_helio,
                   \(select("spectype", cast: "text")) AS spectype, \(select("bal_prob", cast: "float8")) AS bal_prob,
                   \(latent), \(select("recon_mse", cast: "float8")) AS recon_mse,
                   \(select("anomaly_score", cast: "float8")) AS anomaly_score
            FROM \(quoted(schema)).\(quoted(table)) ORDER BY 1
            """
        return try pool.withConnection { c in
            var out: [UpstreamARDRecord] = []
            for try await row in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                let r = row.makeRandomAccess()
                let id = try r["targetid"].decode(Int64?.self)
                guard let id else { throw LocatedError("\(name): a row has TARGETID NULL") }
                var latent: [Float]?
                do {
                    if let a = try r["latent_array"].decode([Double]?.self) { latent = a.map(Float.init) }
                    if let b = try r["latent_bytes"].decode(ByteBuffer?.self) {
                        latent = try UpstreamARDRecord.floats(Array(b.readableBytesView))
                    }
                } catch {
                    throw LocatedError("\(name): column LATENT_VEC of TARGETID \(id): \(error) (NULL elements?)")
                }
                out.append(UpstreamARDRecord(
                    targetid: id, zHelio: try r["z_helio"].decode(Double?.self),
                    spectype: try r["spectype"].decode(String?.self), balProb: try r["bal_prob"].decode(Double?.self),
                    latentVec: latent, reconMse: try r["recon_mse"].decode(Double?.self),
                    anomalyScore: try r["anomaly_score"].decode(Double?.self), source: name))
            }
            return out
        }
    }
}

/// A SQL identifier as data: double-quoted, inner quotes doubled.
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
