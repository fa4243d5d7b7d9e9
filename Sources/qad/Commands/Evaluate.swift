import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADLabels
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
            table count as normal. --epochs-truth evaluates the stored variability and changing-look \
            flags (qad epochs --store) against qad simulate --epochs's epochs.csv.
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

    @Option(name: .customLong("epochs-truth"), help: "qad simulate --epochs's epochs.csv: evaluate the stored variability.")
    var epochsTruth: String?

    @Option(name: .customLong("simulate-reviewer"), help: ArgumentHelp(
        "Replay a review session with a simulated reviewer: physics or instrument (needs --truth).",
        discussion: "The reviewer labels the queue's first candidate from the truth table and the queue re-ranks; prints the interesting spectra found after 50, 100, 200, 300 and 500 reviewed beside the static ranking and random order."))
    var simulateReviewer: String?

    @Option(name: .long, help: "With --simulate-reviewer: how many candidates the reviewer labels.")
    var reviewed = 500

    func validate() throws {
        if truth.isEmpty && epochsTruth == nil { throw ValidationError("give at least one --truth table, or --epochs-truth") }
        if let simulateReviewer {
            if truth.isEmpty { throw ValidationError("--simulate-reviewer needs a --truth table") }
            _ = try ReviewerPersona(named: simulateReviewer)
            guard reviewed > 0 else { throw ValidationError("--reviewed must be positive") }
        }
    }

    func run() async throws {
        if let simulateReviewer {
            let project = try common.openProject()
            let sample = try ScoredSample(project: project, model: model)
            var table = TruthTable()
            for path in truth { try table.add(path: path) }
            let result = ReviewReplay.run(features: sample.features, anomalyPercentile: sample.anomalyPercentiles,
                                          truthClass: sample.scores.map { table[$0.targetid] },
                                          persona: try ReviewerPersona(named: simulateReviewer), reviewed: reviewed)
            print(ReviewReplay.report(result), terminator: "")
            return
        }
        if let epochsTruth {
            try evaluateEpochs(epochsTruth)
            if truth.isEmpty { return }
        }
        let report = try EvaluateStage(project: try common.openProject())
            .run(model: model, truth: truth, extraScores: extraScores)
        print(ScoreEvaluation.format(report), terminator: "")
        if let json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The stored variability (qad epochs --store) against epochs.csv.
    func evaluateEpochs(_ path: String) throws {
        let store = try common.openProject().store
        let found = try store.epochVariability()
        guard !found.isEmpty else {
            throw LocatedError(file: store.location, message: "no variability stored: run qad epochs --store first")
        }
        var fainter: [TargetID: Double] = [:]
        for e in try store.epochs() { fainter[e.object] = min(fainter[e.object] ?? .infinity, e.spectrum.snr) }
        let rows = found.map { v in
            EpochEvaluation.Row(object: v.object, variability: v.variability, snr: fainter[v.object] ?? .nan,
                                restFrameDays: v.restFrameDays ?? .nan, changingLook: v.changingLook != nil)
        }
        for line in try EpochEvaluation.report(rows, truth: try EpochTruth(path: path), source: path) { print(line) }
    }
}
