import ArgumentParser

@main
struct QAD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qad",
        abstract: "Find anomalous quasars in DESI spectra.",
        subcommands: [Ingest.self, Worker.self, Simulate.self, Train.self, Infer.self, Demo.self, Bench.self])
}
