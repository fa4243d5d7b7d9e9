import ArgumentParser

struct QAD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qad",
        abstract: "Find anomalous quasars in DESI spectra.",
        subcommands: [Ingest.self, Worker.self, Simulate.self, Inject.self, Train.self, Infer.self, Score.self, Rank.self, Similar.self, Suppress.self,
                      Evaluate.self, Crossmatch.self, Export.self, Review.self, Plot.self, Epochs.self, Demo.self, Bench.self])
}

@main
enum Main {
    static func main() async {
        ProcessSettings.atStart()
        await QAD.main()
    }
}
