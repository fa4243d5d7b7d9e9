import Foundation
@testable import QADStore
import QADCore
import QADTestSupport
import Testing

/// The two store implementations every store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// The kinds whose tests run here: PostgreSQL's only where it is installed
    /// (always in CI). Without it, `StoreKindTests.postgresCasesRun` reports
    /// the PostgreSQL cases as skipped.
    static var runnable: [StoreKind] { CheckTool.postgres.runs ? allCases : [.sqlite] }
}

typealias FullStore = any Store

/// A store location of `kind` holding nothing yet: a SQLite folder or a fresh
/// PostgreSQL database.
func freshStoreLocation(_ kind: StoreKind) throws -> String {
    switch kind {
    case .sqlite: return temporaryDirectory()
    case .postgres: return try PostgresCluster.required().makeDatabase()
    }
}

/// Opens the store at `location` through the same factory the commands use.
func openStore(_ location: String) throws -> FullStore {
    try makeStore(url: location)
}

func freshStore(_ kind: StoreKind) throws -> FullStore {
    try openStore(freshStoreLocation(kind))
}

@Suite struct StoreKindTests {
    /// Where PostgreSQL is missing (outside CI), the PostgreSQL cases of the
    /// store tests do not run: this check is then reported as skipped. Where it
    /// runs, the throwaway cluster must start and hand out a database.
    @Test(.needs(.postgres)) func postgresCasesRun() throws {
        let url = try PostgresCluster.required().makeDatabase()
        #expect(try makeStore(url: url).spectrumCount() == 0)
    }
}

/// Runs SQL on the store's database as another client would (GRDB's own
/// connection for SQLite, psql for PostgreSQL): what the database itself
/// allows, whatever qad's API offers.
func executeDirectly(_ sql: String, on store: FullStore, location: String) throws {
    switch store {
    case let sqlite as SQLiteStore:
        try sqlite.pool.write { try $0.execute(sql: sql) }
    default:
        let cluster = try PostgresCluster.required()
        let database = String(location.split(separator: "/").last!.split(separator: "?").first!)
        _ = try cluster.psql(database, sql)
    }
}
