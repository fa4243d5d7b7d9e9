import Foundation
import GRDB
import QADCore

/// One row of an upstream analysis-ready table (`ard.qso_ard`), kept in the
/// store so ranking can show the upstream scores beside qad's own.
public struct UpstreamARDRecord: Sendable, Equatable {
    public var targetid: TargetID
    public var zHelio: Double?
    public var spectype: String?
    public var balProb: Double?
    /// The upstream model's latent vector, when the table has LATENT_VEC.
    public var latentVec: [Float]?
    public var reconMse: Double?
    public var anomalyScore: Double?
    /// Where it came from (the table's URL without password), for provenance.
    public var source: String

    public init(targetid: TargetID, zHelio: Double?, spectype: String?, balProb: Double?, latentVec: [Float]?,
                reconMse: Double?, anomalyScore: Double?, source: String) {
        self.targetid = targetid
        self.zHelio = zHelio
        self.spectype = spectype
        self.balProb = balProb
        self.latentVec = latentVec
        self.reconMse = reconMse
        self.anomalyScore = anomalyScore
        self.source = source
    }
}

/// The seed's query on the upstream columns: anomaly_score above a threshold,
/// highest first, with reconstruction-error and BAL filters.
public struct UpstreamCandidateQuery: Sendable, Equatable {
    /// Only rows with anomaly_score > this.
    public var minAnomalyScore: Double
    /// recon_mse range, when given (NULL recon_mse fails a given bound).
    public var minReconMSE: Double?
    public var maxReconMSE: Double?
    /// Drop likely BALs: keep bal_prob < this, or bal_prob unknown (NULL).
    public var maxBALProb: Double?
    public var limit: Int?

    public init(minAnomalyScore: Double, minReconMSE: Double? = nil, maxReconMSE: Double? = nil,
                maxBALProb: Double? = nil, limit: Int? = nil) {
        self.minAnomalyScore = minAnomalyScore
        self.minReconMSE = minReconMSE
        self.maxReconMSE = maxReconMSE
        self.maxBALProb = maxBALProb
        self.limit = limit
    }
}

/// Store side of the upstream ARD columns; both stores implement it.
public protocol UpstreamARDStore: Sendable {
    /// Inserts or replaces rows (by TARGETID), in one transaction.
    func saveUpstream(_ records: [UpstreamARDRecord]) throws
    func upstreamCount() throws -> Int
    /// The upstream rows of these TARGETIDs (absent ones are missing from the result).
    func upstreamScores(for ids: [TargetID]) throws -> [TargetID: UpstreamARDRecord]
    /// Rows passing `query`, by anomaly_score descending (TARGETID breaks ties).
    func upstreamCandidates(_ query: UpstreamCandidateQuery) throws -> [UpstreamARDRecord]
}

extension UpstreamARDRecord: StoredRecord {
    public static let table = StoredTable<UpstreamARDRecord>(
        "upstream_ard", createdBy: SchemaHistory.upstreamARD,
        columns: [
            .int64("targetid", \.targetid), .double("z_helio", \.zHelio), .text("spectype", \.spectype),
            .double("bal_prob", \.balProb),
            // Little-endian float32 bytes (BLOB / BYTEA): the same bytes in
            // both stores, and what NumPy's frombuffer reads.
            .init("latent_vec", .blob, nullable: true,
                  encode: { $0.latentVec.map { .blob(Self.bytes($0)) } ?? .null },
                  decode: { r, v throws(StoredValueError) in
                      switch v {
                      case .null: r.latentVec = nil
                      case .blob(let b): r.latentVec = try Self.floats(b)
                      default: throw StoredValueError("expected float32 bytes, found \(v.text)")
                      }
                  }),
            .double("recon_mse", \.reconMse), .double("anomaly_score", \.anomalyScore), .text("source", \.source),
        ],
        primaryKey: ["targetid"],
        indexes: [StoredIndex("upstream_ard_anomaly_score", ["anomaly_score"], createdBy: SchemaHistory.upstreamARD)])

    public static var blank: UpstreamARDRecord {
        UpstreamARDRecord(targetid: 0, zHelio: nil, spectype: nil, balProb: nil, latentVec: nil, reconMse: nil,
                          anomalyScore: nil, source: "")
    }

    static func bytes(_ v: [Float]) -> [UInt8] {
        v.flatMap { f -> [UInt8] in withUnsafeBytes(of: f.bitPattern.littleEndian, Array.init) }
    }

    static func floats(_ bytes: [UInt8]) throws(StoredValueError) -> [Float] {
        guard bytes.count % 4 == 0 else { throw StoredValueError("\(bytes.count) bytes, not float32s") }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
                  | UInt32(bytes[i + 3]) << 24)
        }
    }
}

extension SQLiteStore: UpstreamARDStore {
    public func saveUpstream(_ records: [UpstreamARDRecord]) throws {
        try pool.write { db in
            try db.insert(records, verb: "INSERT OR REPLACE")
        }
    }

    public func upstreamCount() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM upstream_ard") ?? 0 }
    }

    public func upstreamScores(for ids: [TargetID]) throws -> [TargetID: UpstreamARDRecord] {
        try pool.read { db in
            var out: [TargetID: UpstreamARDRecord] = [:]
            // SQLite binds at most 32k parameters per statement; go in slices.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[start..<min(start + 500, ids.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
                for r in try db.fetchAll(UpstreamARDRecord.self, where: "targetid IN (\(marks))",
                                         arguments: StatementArguments(slice), order: "targetid", source: path) {
                    out[r.targetid] = r
                }
            }
            return out
        }
    }

    public func upstreamCandidates(_ q: UpstreamCandidateQuery) throws -> [UpstreamARDRecord] {
        try pool.read { db in
            var sql = "SELECT \(UpstreamARDRecord.table.selectList()) FROM upstream_ard WHERE anomaly_score > ?"
            var arguments: StatementArguments = [q.minAnomalyScore]
            if let v = q.minReconMSE { sql += " AND recon_mse >= ?"; arguments += [v] }
            if let v = q.maxReconMSE { sql += " AND recon_mse <= ?"; arguments += [v] }
            if let v = q.maxBALProb { sql += " AND (bal_prob IS NULL OR bal_prob < ?)"; arguments += [v] }
            sql += " ORDER BY anomaly_score DESC, targetid"
            if let n = q.limit { sql += " LIMIT ?"; arguments += [n] }
            return try db.fetch(UpstreamARDRecord.self, sql: sql, arguments: arguments, source: path)
        }
    }
}
