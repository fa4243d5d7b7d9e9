import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADPipeline
import QADStore

struct Score: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score every spectrum a trained model has outputs for.",
        discussion: """
            Writes \(ScoreName.components.map(\.rawValue).joined(separator: ", ")) and the calibrated combined \
            score (with percentiles, explanation windows and latent neighbours) to the store's score table, replacing the model's previous scores in one transaction. Needs qad infer first. \
            A re-run with the same weights and settings does nothing (--force redoes it). Methods: docs/scores.md.
            """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(name: .long, help: "Model name (folder under STORE/models).")
    var model = "vae"

    @Option(name: .long, help: "Random seed (isolation forest, calibration sample).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Isolation Forest trees.")
    var trees = 200

    @Option(name: .customLong("sample-size"), help: "Isolation Forest sub-sample size ψ.")
    var sampleSize = 256

    @Option(name: .long, help: "k of the k-nearest-neighbour distance.")
    var k = 10

    @Option(name: .customLong("calibration-window"), help: "Spectra in the running z / S/N calibration window.")
    var calibrationWindow = 800

    @Option(name: .customLong("tail-window"), help: "Spectra in the running S/N window among which each component's tail p-value is taken for the combined score (0: the whole sample).")
    var tailWindow = 4000

    @Option(name: .customLong("tail-fraction"), help: "Share of each window judged by a fitted tail rather than by counting, for the combined score (0 < f < 0.5).")
    var tailFraction = ScoreSettings().tailFraction

    @Option(name: .customLong("combine"),
            help: ArgumentHelp("Components of the combined score, comma-separated (default: \(ScoreSettings().combined.map(\.rawValue).joined(separator: ","))).",
                               valueName: "names"))
    var combine: String?

    @Option(name: .customLong("forest-limit"),
            help: "Rest wavelength in Å below which the localized, BAL-trough and instrument scores leave a spectrum out (default 1216, Lyα: the forest's absorption is left out).")
    var forestLimit = ScoreSettings().local.forestLimit

    @Option(name: .long, help: "Threads (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Score again even if scores of these weights and settings exist.")
    var force = false

    func validate() throws {
        if trees < 1 { throw ValidationError("--trees must be at least 1") }
        if sampleSize < 2 { throw ValidationError("--sample-size must be at least 2") }
        if k < 1 { throw ValidationError("--k must be at least 1") }
        if calibrationWindow < 20 { throw ValidationError("--calibration-window must be at least 20") }
        if tailWindow != 0 && tailWindow < 200 { throw ValidationError("--tail-window must be 0 or at least 200") }
        if !(tailFraction > 0 && tailFraction < 0.5) { throw ValidationError("--tail-fraction must be between 0 and 0.5") }
        _ = try combinedComponents()
        let grid = RestGrid.standard
        if !(forestLimit >= grid.edges.first! && forestLimit < 2000) {
            throw ValidationError("--forest-limit must be between \(Int(grid.edges.first!.rounded(.up))) and 2000 Å")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if model.isEmpty || model.contains("/") || model.hasPrefix(".") { throw ValidationError("--model must be a plain name") }
    }

    var settings: ScoreSettings {
        var s = ScoreSettings()
        s.seed = seed
        s.forest.trees = trees
        s.forest.sampleSize = sampleSize
        s.forest.seed = seed
        s.k = k
        s.spectraPerCell = calibrationWindow
        s.tailWindow = tailWindow
        s.tailFraction = tailFraction
        s.local.forestLimit = forestLimit
        if let names = try? combinedComponents() { s.combined = names }
        return s
    }

    /// The --combine list, each a component score's name, none twice.
    func combinedComponents() throws -> [ScoreName] {
        guard let combine else { return ScoreSettings().combined }
        var names: [ScoreName] = []
        for word in combine.split(separator: ",", omittingEmptySubsequences: false) {
            let w = word.trimmingCharacters(in: .whitespaces).lowercased()
            guard let name = ScoreName(rawValue: w), name != .score else {
                throw ValidationError("--combine: '\(w)' is not a component score (one of \(ScoreName.components.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !names.contains(name) else { throw ValidationError("--combine: '\(w)' given twice") }
            names.append(name)
        }
        return names
    }

    func run() async throws {
        let project = try common.openProject()
        let runner = ScoreStage(project: project, modelName: model)
        runner.threads = threads ?? parallel.workers ?? ProcessInfo.processInfo.activeProcessorCount
        runner.log = { log($0) }
        let summary = try runner.run(settings, force: force)
        if summary.skipped {
            print("model \(model): the \(summary.spectra) spectra are already scored with these weights and settings (--force redoes it)")
            return
        }
        print(String(format: "scored %d spectra in %.1f s (calibration in %d z and S/N slices; active latent dimensions %@) → %@",
                     summary.spectra, summary.seconds, summary.calibrationCells,
                     summary.activeLatentDimensions.map(String.init).joined(separator: ","), project.location))
    }
}
