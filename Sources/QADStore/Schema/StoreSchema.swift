import Foundation
import QADCore
import QADCrossmatch
import QADDetect
import QADLabels
import QADModel

/// The store's tables, from the declarations beside their records, and the
/// schema steps (migrations) both databases derive from them: a step creates
/// the tables and indexes that name it (`createdBy`) and adds the columns that
/// name it (`addedBy`) to tables made before. Each database runs every step
/// it has not recorded, in order, and records its name.
public enum StoreSchema {
    /// Every table both stores hold, in creation order.
    public static let tables: [TableShape] = [
        SpectrumRecord.table.shape, IngestedFileRecord.table.shape, ProblemRecord.table.shape,
        CacheShardRecord.table.shape, ModelOutputRecord.table.shape, ModelInferenceRecord.table.shape,
        ScoreRecord.table.shape, ScoreRunRecord.table.shape, CrossmatchCatalogRecord.table.shape,
        CrossmatchMatchRecord.table.shape, ReviewerRecord.table.shape, LabelEventRecord.table.shape,
        UpstreamARDRecord.table.shape, EpochRecord.table.shape, EpochVariabilityRecord.table.shape,
        SuppressionRecord.table.shape,
    ]

    /// Step names in the order they run: the fixed history, then steps that
    /// scores added later name.
    public static var steps: [String] { SchemaHistory.ordered + ScoreName.addedSchemaSteps }

    /// The statements of one step in `dialect`, followed by the dialect's own
    /// additions for it (triggers); empty for steps that touch none of `tables`.
    static func statements(of step: String, in dialect: SQLDialect, tables: [TableShape] = tables) -> [String] {
        var out: [String] = []
        for t in tables where t.createdBy == step { out.append(dialect.createTable(t)) }
        for t in tables {
            let added = t.columns.filter { $0.addedBy == step && t.createdBy != step }
            for c in added { out.append("ALTER TABLE \(t.name) ADD COLUMN \(dialect.columnDefinition(c))") }
            for i in t.indexes where i.createdBy == step {
                out.append("CREATE INDEX \(i.name) ON \(t.name) (\(i.columns.map(dialect.indexColumn).joined(separator: ", ")))")
            }
        }
        return out + dialect.extraStatements(step)
    }
}

/// What differs between SQLite's and PostgreSQL's SQL for the same schema.
enum SQLDialect {
    case sqlite, postgres

    func typeName(_ t: StoredType) -> String {
        switch (self, t) {
        case (.sqlite, .integer): return "INTEGER"
        case (.sqlite, .real): return "DOUBLE"
        case (.sqlite, .text): return "TEXT"
        case (.sqlite, .blob): return "BLOB"
        case (.sqlite, .boolean): return "BOOLEAN"
        case (.postgres, .integer): return "BIGINT"
        case (.postgres, .real): return "DOUBLE PRECISION"
        case (.postgres, .text): return "TEXT"
        case (.postgres, .blob): return "BYTEA"
        case (.postgres, .boolean): return "BOOLEAN"
        }
    }

    /// Names that are keywords in one of the two databases are quoted everywhere.
    func quoted(_ name: String) -> String {
        ["column", "row", "rows", "columns", "class"].contains(name) ? "\"\(name)\"" : name
    }

    func indexColumn(_ c: String) -> String {
        c.hasSuffix(" DESC") ? quoted(String(c.dropLast(5))) + " DESC" : quoted(c)
    }

    func literal(_ v: StoredValue) -> String {
        switch v {
        case .null: return "NULL"
        case .integer(let i): return String(i)
        case .real(let d): return "\(d)"
        case .text(let s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .boolean(let b): return self == .sqlite ? (b ? "1" : "0") : (b ? "TRUE" : "FALSE")
        case .blob: preconditionFailure("no blob defaults")
        }
    }

    func columnDefinition(_ c: ColumnShape) -> String {
        if c.generated {
            return self == .sqlite ? "\(quoted(c.name)) INTEGER PRIMARY KEY AUTOINCREMENT"
                                   : "\(quoted(c.name)) BIGSERIAL PRIMARY KEY"
        }
        var d = "\(quoted(c.name)) \(typeName(c.type))"
        if !c.nullable { d += " NOT NULL" }
        if let v = c.defaultValue { d += " DEFAULT \(literal(v))" }
        return d
    }

    func createTable(_ t: TableShape) -> String {
        var parts = t.columns.filter { $0.addedBy == nil || $0.addedBy == t.createdBy }.map(columnDefinition)
        for r in t.references where t.columns.contains(where: { $0.name == r.column && ($0.addedBy == nil || $0.addedBy == t.createdBy) }) {
            let parent = StoreSchema.tables.first { $0.name == r.table }
            let key = parent?.primaryKey.first ?? "id"
            parts[parts.firstIndex { $0.hasPrefix(quoted(r.column) + " ") }!] += " REFERENCES \(r.table)(\(quoted(key)))"
                + (r.cascade ? " ON DELETE CASCADE" : "")
        }
        if !t.primaryKey.isEmpty { parts.append("PRIMARY KEY (\(t.primaryKey.map(quoted).joined(separator: ", ")))") }
        for u in t.unique { parts.append("UNIQUE (\(u.map(quoted).joined(separator: ", ")))") }
        return "CREATE TABLE \(t.name) (\(parts.joined(separator: ", ")))"
    }

    /// A dialect's own statements for a step: the triggers that keep the label
    /// history append-only (TRUNCATE too on PostgreSQL, which has no SQLite
    /// counterpart but would otherwise bypass the row triggers), and the
    /// shared store's work queue.
    func extraStatements(_ step: String) -> [String] {
        switch (self, step) {
        case (_, SchemaHistory.epochs):
            // A store made before epochs were kept holds one spectrum per
            // object: each becomes its object's only epoch. Its DESI
            // survey/program was not stored, so the visit is the survey's name
            // (`EpochRecord.visit(survey:)`, in SQL).
            let columns = SpectrumRecord.table.columnNames.map(quoted).joined(separator: ", ")
            return ["""
                INSERT INTO epoch (\(columns), object, visit)
                SELECT \(columns), targetid, CASE WHEN survey = 'SDSS' THEN 'SDSS' ELSE lower(survey) END FROM spectrum
                """]
        case (.sqlite, SchemaHistory.reviews):
            return ["UPDATE", "DELETE"].map { op in
                """
                CREATE TRIGGER label_event_no_\(op.lowercased()) BEFORE \(op) ON label_event
                BEGIN SELECT RAISE(ABORT, 'label_event is append-only'); END
                """
            }
        case (.postgres, SchemaHistory.reviews):
            return [
                """
                CREATE FUNCTION label_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'label_event is append-only' USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
            ] + [("update", "UPDATE", "ROW"), ("delete", "DELETE", "ROW"), ("truncate", "TRUNCATE", "STATEMENT")].map {
                """
                CREATE TRIGGER label_event_no_\($0.0) BEFORE \($0.1) ON label_event
                    FOR EACH \($0.2) EXECUTE FUNCTION label_event_append_only()
                """
            }
        case (.postgres, SchemaHistory.workQueue):
            return [
                """
                CREATE TABLE work_queue (
                    id BIGSERIAL PRIMARY KEY,
                    stage TEXT NOT NULL,
                    path TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done', 'failed')),
                    owner TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    claimed_at TIMESTAMPTZ,
                    heartbeat_at TIMESTAMPTZ,
                    finished_at TIMESTAMPTZ,
                    shard TEXT,
                    n_spectra BIGINT,
                    message TEXT,
                    UNIQUE (stage, path))
                """,
                "CREATE INDEX work_queue_claimable ON work_queue (stage, state, id)",
            ]
        default:
            return []
        }
    }
}
