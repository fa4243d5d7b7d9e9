import ArgumentParser

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ingest DESI/SDSS spectra into the store.")
    func run() async throws { throw ValidationError("not built yet") }
}
