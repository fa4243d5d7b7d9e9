import ArgumentParser

/// Options every store-using command shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Project store folder (SQLite catalog, spectral cache, models).")
    var store: String = "qad-store"

    @Option(name: .long, help: "Files processed at once (default: all cores).")
    var workers: Int?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") {
            throw ValidationError("--store postgres://… is not available yet: this build stores in SQLite; give a folder")
        }
    }
}
