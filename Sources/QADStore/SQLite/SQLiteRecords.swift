import Foundation
import GRDB
import QADCore

// Records cross to and from SQLite through their declarations (`StoredTable`):
// one prepared statement per table for inserts, and rows decoded column by
// column in declaration order. GRDB's Codable records would cost more per row
// than preprocessing a spectrum, and would declare each record a second time.

extension StoredValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let v): return v.databaseValue
        case .real(let v): return v.databaseValue
        case .text(let v): return v.databaseValue
        case .blob(let v): return Data(v).databaseValue
        case .boolean(let v): return v.databaseValue
        }
    }

    init(_ d: DatabaseValue) {
        switch d.storage {
        case .null: self = .null
        case .int64(let v): self = .integer(v)
        case .double(let v): self = .real(v)
        case .string(let v): self = .text(v)
        case .blob(let v): self = .blob([UInt8](v))
        }
    }
}

extension StoredTable {
    /// "a, b, c" of every column (for SELECT), each prefixed with `table.` when asked.
    func selectList(qualified: Bool = false) -> String {
        columns.map { (qualified ? name + "." : "") + SQLDialect.sqlite.quoted($0.name) }.joined(separator: ", ")
    }

    func insertSQL(_ dialect: SQLDialect, verb: String = "INSERT") -> String {
        let names = insertedColumns.map { dialect.quoted($0.name) }
        let marks = dialect == .sqlite ? names.map { _ in "?" } : names.indices.map { "$\($0 + 1)" }
        return "\(verb) INTO \(name) (\(names.joined(separator: ", "))) VALUES (\(marks.joined(separator: ", ")))"
    }
}

extension Database {
    /// Inserts `records` with one cached statement (`verb`: INSERT, or INSERT
    /// OR REPLACE for upserts by primary key).
    func insert<R: StoredRecord>(_ records: some Sequence<R>, verb: String = "INSERT") throws {
        let statement = try cachedStatement(sql: R.table.insertSQL(.sqlite, verb: verb))
        for r in records {
            try statement.execute(arguments: StatementArguments(R.table.insertValues(r).map(\.databaseValue)))
        }
    }

    /// Inserts one record and returns its auto-incremented id.
    func insertReturningID<R: StoredRecord>(_ record: R) throws -> Int64 {
        try insert([record])
        return lastInsertedRowID
    }

    /// The records a query selecting `R.table.selectList()` returns, in its order.
    /// `source` names the store in messages about rows that do not decode.
    /// `cached` keeps the compiled statement on the connection: for queries of
    /// a fixed shape run per request, where compiling a select of a wide
    /// table (the score table has ~150 columns) costs more than running it.
    func fetch<R: StoredRecord>(_ type: R.Type, sql: String, arguments: StatementArguments = [],
                                source: String, cached: Bool = false) throws -> [R] {
        let rows = cached ? try Row.fetchCursor(try cachedStatement(sql: sql), arguments: arguments)
                          : try Row.fetchCursor(self, sql: sql, arguments: arguments)
        var out: [R] = []
        while let row = try rows.next() {
            let values: [StoredValue] = row.databaseValues.map { StoredValue($0) }
            out.append(try R.table.decode(values, source: source))
        }
        return out
    }

    /// Every record of `R`'s table matching `whereSQL`, ordered by `order`.
    func fetchAll<R: StoredRecord>(_ type: R.Type, where whereSQL: String = "1", arguments: StatementArguments = [],
                                   order: String, source: String) throws -> [R] {
        try fetch(R.self, sql: "SELECT \(R.table.selectList()) FROM \(R.table.name) WHERE \(whereSQL) ORDER BY \(order)",
                  arguments: arguments, source: source, cached: true)
    }

    func fetchOne<R: StoredRecord>(_ type: R.Type, where whereSQL: String, arguments: StatementArguments,
                                   source: String) throws -> R? {
        try fetch(R.self, sql: "SELECT \(R.table.selectList()) FROM \(R.table.name) WHERE \(whereSQL) LIMIT 1",
                  arguments: arguments, source: source, cached: true).first
    }
}

extension SQLiteStore {
    /// Runs every schema step this database has not recorded, in order, each
    /// in its own transaction (GRDB's migrator keeps the record).
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for step in StoreSchema.steps {
            let statements = StoreSchema.statements(of: step, in: .sqlite)
            guard !statements.isEmpty else { continue }  // PostgreSQL-only steps
            m.registerMigration(step) { db in
                for s in statements { try db.execute(sql: s) }
            }
        }
        return m
    }
}
