import Foundation
@testable import QADStore
import QADTestSupport
import Testing

/// The two store implementations every store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

typealias FullStore = any Store & ModelOutputStore & UpstreamARDStore & ScoreStore & CrossmatchStore & ReviewStore

/// A store location of `kind` holding nothing yet: a SQLite folder or a fresh
/// PostgreSQL database. nil only when PostgreSQL is missing outside CI.
func freshStoreLocation(_ kind: StoreKind) throws -> String? {
    switch kind {
    case .sqlite: return temporaryDirectory()
    case .postgres: return try PostgresCluster.shared()?.makeDatabase()
    }
}

/// Opens the store at `location` through the same factory the commands use.
func openStore(_ location: String) throws -> FullStore {
    let store = try makeStore(url: location)
    guard let full = store as? FullStore else { throw StoreError("\(type(of: store)) lacks a store protocol") }
    return full
}

func freshStore(_ kind: StoreKind) throws -> FullStore? {
    try freshStoreLocation(kind).map(openStore)
}

/// Runs SQL on the store's database as another client would (GRDB's own
/// connection for SQLite, psql for PostgreSQL): what the database itself
/// allows, whatever qad's API offers.
func executeDirectly(_ sql: String, on store: FullStore, location: String) throws {
    switch store {
    case let sqlite as SQLiteStore:
        try sqlite.pool.write { try $0.execute(sql: sql) }
    default:
        guard let cluster = try PostgresCluster.shared() else { throw StoreError("no PostgreSQL cluster") }
        let database = String(location.split(separator: "/").last!.split(separator: "?").first!)
        _ = try cluster.psql(database, sql)
    }
}
