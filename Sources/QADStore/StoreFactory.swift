import Foundation

/// The store a `--store` value names: `postgres://USER@HOST:PORT/DATABASE`
/// (`postgresql://` too) opens `PostgresStore`; anything else is a project
/// folder whose `qad.sqlite` opens `SQLiteStore` (created when missing). Both
/// implement the whole `Store`.
public func makeStore(url location: String) throws -> any Store {
    if PostgresURL.isPostgres(location) {
        return try PostgresStore(url: location)
    }
    try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: true)
    return try SQLiteStore(path: ProjectStore.sqlitePath(in: location))
}
