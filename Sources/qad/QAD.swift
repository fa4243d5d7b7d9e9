import ArgumentParser

@main
struct QAD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qad",
        abstract: "Find anomalous quasars in DESI spectra.",
        subcommands: [Ingest.self, Worker.self, Simulate.self, Inject.self, Train.self, Infer.self, Score.self, Rank.self,
                      Evaluate.self, Crossmatch.self, Export.self, Review.self, Plot.self, Demo.self, Bench.self])
}
