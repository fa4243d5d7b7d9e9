import ArgumentParser
import Foundation
import QADStore

/// Options every store-using command shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Project store: a folder (SQLite catalog, spectral cache, models) or postgres://USER@HOST:PORT/DATABASE.",
        discussion: "With postgres:// give --cache too; the password may come from PGPASSWORD."))
    var store: String = ProjectStore.defaultDirectory

    @Option(name: .long, help: "Folder for the spectral cache (.npy) and models; required with a postgres:// store, on storage every worker sees.")
    var cache: String?

    var isPostgres: Bool { PostgresURL.isPostgres(store) }

    func validate() throws {
        if isPostgres {
            do { _ = try PostgresURL(store) } catch { throw ValidationError("--store: \(error)") }
            if cache == nil {
                throw ValidationError("--store postgres://… needs --cache DIR: the folder (shared storage) for the spectral cache and models")
            }
        }
    }

    /// For commands that read a store rather than build one: a folder must
    /// already hold `qad.sqlite` (opening would create an empty one). A
    /// PostgreSQL store is checked when it is opened.
    func requireExistingStore(hint: String) throws {
        guard !isPostgres else { return }
        guard FileManager.default.fileExists(atPath: store + "/qad.sqlite") else {
            throw ValidationError("\(store) holds no store (qad.sqlite)\(hint)")
        }
    }

    /// The project these options name (connects and migrates a PostgreSQL store).
    func openProject() throws -> ProjectStore {
        try ProjectStore.open(store: store, cache: cache)
    }
}

/// `--workers`, for the commands that run in parallel (ingest, train, infer,
/// score, crossmatch); commands that do not take no such option.
struct ParallelOptions: ParsableArguments {
    @Option(name: .long, help: "Parallel workers: files at once for ingest, threads for the others (default: all cores).")
    var workers: Int?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }
}
