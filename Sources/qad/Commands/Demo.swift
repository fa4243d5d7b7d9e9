import ArgumentParser
import Foundation
import QADCrossmatch
import QADExport
import QADFormats
import QADPipeline
import QADReview
import QADStore

/// Simulates a small DESI-format survey and runs every stage on it.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a small survey and run every stage on it end to end (no download).")

    @Option(name: .long, help: "Folder for the simulated survey and the store.")
    var out: String = "qad-demo"

    @Option(name: .customLong("n"), help: "Spectra to simulate (all classes).")
    var count: Int = 3000

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("no-review"), help: "Do not start the review UI at the end (for scripts and CI).")
    var noReview = false

    @Option(name: .long, help: "Port of the review UI (0 picks a free one).")
    var port = 8765

    func validate() throws {
        if count < 50 { throw ValidationError("--n must be at least 50 for a meaningful demo") }
    }

    func run() async throws {
        let survey = out + "/survey"
        let injected = out + "/survey-injected"
        let storeDir = out + "/store"
        print("1/9 simulate: \(count) spectra (quasars, galaxies, stars; 1% of quasars with built-in anomalies) → \(survey)")
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: survey, count: count, anomalyFraction: 0.01,
                                                      seed: seed, spectraPerFile: 250))
        print("    \(sim.files) healpix coadd+redrock pairs, \(sim.quasars) quasars, median quasar S/N "
              + String(format: "%.2f", sim.medianQuasarSNR) + String(format: ", %.1f s", sim.elapsedSeconds))

        print("2/9 inject: 2% of the quasars get one anomaly of every class in turn → \(injected)")
        if FileManager.default.fileExists(atPath: injected) { try FileManager.default.removeItem(atPath: injected) }
        var injection = InjectionConfig(inputDirectory: survey, outputDirectory: injected)
        injection.qsoCatalogs = [sim.catalogFile]
        injection.fraction = 0.02
        injection.seed = seed
        let inj = try injectSurvey(injection)
        print("    \(inj.injected) anomalies in \(inj.files) files; truth table \(inj.truthFile)")

        print("3/9 ingest: the QSO catalog defines the sample → \(storeDir)")
        var catalog = QSOCatalog()
        try catalog.add(path: injected + "/QSO_cat_sim.fits")
        let project = try ProjectStore(directory: storeDir)
        let runner = try IngestRunner(project: project, options: IngestOptions(selection: SampleSelection(catalog: catalog)))
        let reporter = ProgressReporter(plain: false, unit: "spectra")
        runner.progress = { u in reporter.update(done: u.filesDone, total: u.filesTotal, items: u.spectra, elapsed: u.elapsed) }
        let summary = try await runner.run(paths: [injected + "/healpix"])
        reporter.finish()
        print("    \(summary.spectraIngested) spectra ingested (\(summary.filesAlreadyDone) files already in the store), "
              + String(format: "%.0f spectra/s", summary.spectraPerSecond))
        try runDemoModelStep(project: project, seed: seed, step: "4/9")
        try runDemoScoreStep(project: project, seed: seed,
                             truthFiles: [inj.truthFile, sim.truthFile], first: 5)
        let exports = try runDemoCatalogStep(project: project, seed: seed, first: 8, out: out)
        print("""

        Done. The store is \(storeDir):
          \(storeDir)/qad.sqlite             catalog (spectrum), epochs (epoch), scores (score), files, input problems
          \(storeDir)/cache/main.flux.npy    normalized rest-frame flux [N, 3276] (np.load(..., mmap_mode="r"))
          \(storeDir)/cache/main.weight.npy  inverse variance, 0 where a bin is not covered
          \(storeDir)/cache/grid.npy         rest-frame wavelengths (Å)
          \(storeDir)/models/vae/           VAE checkpoint (safetensors + JSON), latents, reconstructions
        The anomaly catalog: \(exports.joined(separator: ", "))
        Truth tables: \(inj.truthFile) (injected), \(sim.truthFile) (simulation)
        Next: \(Self.executable) rank --store \(storeDir) --min-pct score=99 --bal exclude
        """)
        try await startDemoReview(project: project, port: port, skip: noReview)
    }

    /// How this qad was started (e.g. .build/release/qad): qad is not on PATH
    /// after a build, so the suggested next command names the binary itself.
    static var executable: String {
        let path = CommandLine.arguments.first ?? "qad"
        return path.contains("/") ? path : "qad"
    }
}
