import ArgumentParser
import Foundation
import QADModel
import QADPipeline
import QADStore

struct Infer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode and reconstruct every cached spectrum with a trained model.",
        discussion: """
        Writes STORE/models/MODEL/latent_mu.npy, latent_sigma.npy and reconstruction.npy (row i = \
        cache row i) and per-spectrum recon_chi2 (χ²/dof), recon_mse and kl to the store's \
        model_output table. Streams through the cache in chunks, so memory stays flat; a killed \
        run resumes at the last committed chunk.
        """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(name: .long, help: "Model name (folder under STORE/models).")
    var model = "vae"

    @Option(name: .customLong("batch-size"), help: "Spectra per batch.")
    var batchSize = InferenceOptions().batchSize

    @Option(name: .long, help: "Threads (default: all cores).")
    var threads: Int?

    @Flag(name: .customLong("no-reconstructions"), help: "Skip writing reconstruction.npy (13 kB per spectrum).")
    var noReconstructions = false

    @Flag(name: .customLong("full-reconstructions"),
          help: "Decode the whole rest grid for every spectrum (default: only the bins it covers, NaN elsewhere).")
    var fullReconstructions = false

    @Flag(name: .long, help: "Recompute outputs that already exist.")
    var force = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if model.isEmpty || model.contains("/") || model.hasPrefix(".") { throw ValidationError("--model must be a plain name") }
    }

    func run() async throws {
        let project = try common.openProject()
        var options = InferenceOptions()
        options.batchSize = batchSize
        options.threads = threads ?? parallel.workers ?? ProcessInfo.processInfo.activeProcessorCount
        options.reconstructions = !noReconstructions
        options.fullReconstructions = fullReconstructions
        options.force = force
        let inference = InferStage(project: project, modelName: model)
        let progress = InferProgress()
        inference.progress = { done, total, spectra, elapsed in progress.show(done, total, spectra, elapsed) }
        let summary = try inference.run(options)
        if summary.rowsComputed == 0 {
            print("model \(model): outputs for all \(summary.rowsTotal) cache rows are already in the store (--force recomputes)")
            return
        }
        print(String(format: "inferred %d spectra (%d cache rows from row %d) in %.1f s: %.0f spectra/s → %@",
                     summary.spectraComputed, summary.rowsComputed, summary.resumedAtRow, summary.seconds,
                     summary.spectraPerSecond, summary.outputDirectory))
    }
}

/// A progress line on stderr every few seconds (rows of the cache done).
final class InferProgress: @unchecked Sendable {
    private var last = 0.0
    func show(_ done: Int, _ total: Int, _ spectra: Int, _ elapsed: Double) {
        guard elapsed - last >= 3 || done == total else { return }
        last = elapsed
        log(String(format: "progress: %d/%d cache rows, %d spectra, %.0f spectra/s", done, total, spectra,
                   elapsed > 0 ? Double(spectra) / elapsed : 0))
    }
}
