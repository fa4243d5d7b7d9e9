import ArgumentParser
import Foundation
import QADCore
import QADFormats
import QADModel
import QADPipeline
import QADStore

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest DESI coadd+redrock and SDSS spec files into the store's rest-frame cache.",
        discussion: """
        PATHs are files or folders (recursed for DESI coadd-*.fits[.gz], SDSS spec-*.fits[.gz] \
        and analysis-ready Parquet tiles tile_*/qso_data_TILE*.parquet). \
        With --qso-catalog the catalog defines the sample and its Z is used; otherwise \
        redrock SPECTYPE=QSO and ZWARN=0 select the rows. --ard-table adds an upstream ARD \
        table's targets (Z_HELIO) to the sample and stores its columns for ranking. Re-running \
        skips files already ingested; --force redoes them. Every spectrum is kept: spectra of one \
        object (one DESI TARGETID, or positions within --epoch-radius with consistent redshifts) \
        are its epochs, and the highest-S/N quasar spectrum is the primary that training and \
        scoring use (docs/epochs.md). With --queue (PostgreSQL store) the \
        files are queued for `qad worker` processes on any number of machines.
        """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var parallel: ParallelOptions

    @OptionGroup var sample: SampleOptions

    @Flag(name: .long, help: "Put the files on the shared queue for `qad worker` processes instead of ingesting them here (PostgreSQL store).")
    var queue = false

    @Flag(name: .long, help: "Re-ingest files already in the store.")
    var force = false

    @Flag(name: .long, help: "Plain log lines instead of a progress bar.")
    var plain = false

    @Option(name: .customLong("epoch-radius"), help: "Spectra with different ids closer than this (arcsec) are epochs of one object.")
    var epochRadius = 1.0

    @Argument(help: "Files or folders to ingest.")
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty && sample.ardTable == nil {
            throw ValidationError("give at least one file or folder to ingest (or --ard-table to load upstream columns only)")
        }
        for p in paths where !FileManager.default.fileExists(atPath: p) {
            throw ValidationError("\(p): no such file or folder")
        }
        guard epochRadius >= 0, epochRadius <= 60 else { throw ValidationError("--epoch-radius must be in [0, 60] arcsec") }
        if queue && !common.isPostgres {
            throw ValidationError("--queue needs a shared store: --store postgres://… --cache DIR")
        }
    }

    func run() async throws {
        ProcessSettings.forIngest()
        // The reference spectrum of a new cache (tens of ms) is computed while
        // the store is opened and the catalog read.
        let reference = queue ? nil : Task.detached { IngestRunner.reference() }
        let project = try common.openProject()
        if queue {
            if sample.ardTable != nil { _ = try sample.selection(project: project) }  // stores upstream_ard once
            let r = try QueueFiller.fill(project: project, paths: paths, force: force)
            print("""
            queue: \(r.filesFound) files found, \(r.queued) queued, \(r.alreadyQueued) already queued, \
            \(r.alreadyIngested) already ingested; start `qad worker --store … --cache \(project.directory)` processes
            """)
            return
        }
        let selection = try sample.selection(project: project)
        guard !paths.isEmpty else { return }
        let options = IngestOptions(selection: selection,
                                    workers: parallel.workers ?? ProcessInfo.processInfo.activeProcessorCount,
                                    force: force, linker: EpochLinker(radiusArcsec: epochRadius))
        let runner = try IngestRunner(project: project, options: options, reference: await reference?.value)
        let reporter = ProgressReporter(plain: plain, unit: "spectra")
        runner.progress = { u in reporter.update(done: u.filesDone, total: u.filesTotal, items: u.spectra, elapsed: u.elapsed) }
        let summary = try await runner.run(paths: paths)
        reporter.finish()
        printSummary(summary, store: project)
        if summary.filesFailed > 0 && summary.filesIngested == 0 && summary.filesAlreadyDone == 0 {
            throw ExitCode(1)
        }
    }

    func printSummary(_ s: IngestSummary, store: ProjectStore) {
        let shown = 30
        for (severity, p) in s.problems.prefix(shown) {
            log("\(severity == .warning ? "warning" : severity == .file ? "error" : "skipped"): \(p)")
        }
        if s.problems.count > shown { log("… \(s.problems.count - shown) more problems are kept in the store (table input_problem)") }
        let total = (try? store.store.spectrumCount()) ?? 0
        print("""
        ingest summary
          files found        \(s.filesFound)
          files ingested     \(s.filesIngested)
          already in store   \(s.filesAlreadyDone)
          files failed       \(s.filesFailed)
          spectra ingested   \(s.spectraIngested)
          rows skipped       \(s.rowsSkipped)
          rows not in sample \(s.rowsNotSelected)
          warnings           \(s.warnings)
          time               \(String(format: "%.1f", s.seconds)) s (\(String(format: "%.0f", s.spectraPerSecond)) spectra/s)
          store              \(store.location): \(total) objects, \(s.epochs.epochs) spectra; \
        \(s.epochs.repeated) objects with repeat epochs
        """)
        if !s.epochs.conflicts.isEmpty {
            log("note: \(s.epochs.conflicts.count) pairs of quasar spectra within --epoch-radius have redshifts that disagree; "
                + "they are kept as separate objects (qad epochs --store lists them)")
        }
        if s.epochs.invalidatedModelOutputs {
            log("note: objects changed their primary spectrum; model outputs were forgotten (run qad infer and qad score again)")
        }
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
