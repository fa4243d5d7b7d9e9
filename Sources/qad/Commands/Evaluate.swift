import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADPipeline
import QADStore

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the scores against a truth table.",
        discussion: """
            For every score: ROC-AUC, average precision, precision and recall in the top 0.5/1/2 % of \
            the scored sample, recall per anomaly class in the top 1 %, and Spearman ρ of the score with \
            S/N and with z among normal spectra. Truth tables: qad inject's injected.csv, qad simulate's \
            truth.csv, or any CSV with TARGETID and CLASS. Scored spectra missing from every truth \
            table count as normal.
            """)

    @OptionGroup var common: StoreOptions

    @Option(name: .long, help: "Model whose scores to evaluate.")
    var model = "vae"

    @Option(name: .long, help: "Truth table CSV (repeatable; the first class given to a TARGETID wins).")
    var truth: [String] = []

    @Option(name: .customLong("extra-scores"),
            help: "CSV of other methods' scores (TARGETID then one column per method), evaluated beside qad's.")
    var extraScores: [String] = []

    @Option(name: .long, help: "Also write the report as JSON here.")
    var json: String?

    func validate() throws {
        if truth.isEmpty { throw ValidationError("give at least one --truth table") }
    }

    func run() async throws {
        let report = try EvaluateStage(project: try common.openProject())
            .run(model: model, truth: truth, extraScores: extraScores)
        print(ScoreEvaluation.format(report), terminator: "")
        if let json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}
