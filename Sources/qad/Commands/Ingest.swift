import ArgumentParser
import Foundation
import QADCore
import QADFormats
import QADPipeline
import QADStore

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest DESI coadd+redrock and SDSS spec files into the store's rest-frame cache.",
        discussion: """
        PATHs are files or folders (recursed for coadd-*.fits[.gz] and spec-*.fits[.gz]). \
        With --qso-catalog the catalog defines the sample and its Z is used; otherwise \
        redrock SPECTYPE=QSO and ZWARN=0 select the rows. Re-running skips files already \
        ingested; --force redoes them.
        """)

    @OptionGroup var common: StoreOptions

    @Option(name: .customLong("qso-catalog"), help: "DESI QSO catalog or AGN/QSO VAC (repeatable).")
    var qsoCatalogs: [String] = []

    @Option(name: .long, help: "Accepted redrock SPECTYPE / SDSS CLASS without a catalog (repeatable).")
    var spectype: [String] = ["QSO"]

    @Flag(name: .customLong("any-zwarn"), help: "Accept rows with ZWARN != 0 (default: ZWARN == 0 only).")
    var anyZwarn = false

    @Flag(name: .long, help: "Re-ingest files already in the store.")
    var force = false

    @Flag(name: .long, help: "Plain log lines instead of a progress bar.")
    var plain = false

    @Argument(help: "Files or folders to ingest.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder to ingest") }
        for p in paths + qsoCatalogs where !FileManager.default.fileExists(atPath: p) {
            throw ValidationError("\(p): no such file or folder")
        }
    }

    func run() async throws {
        var catalog = QSOCatalog()
        for path in qsoCatalogs {
            do { try catalog.add(path: path) } catch { throw ValidationError("\(error)") }
        }
        if !qsoCatalogs.isEmpty { log("QSO catalog: \(catalog.count) targets from \(qsoCatalogs.count) file(s)") }
        let project = try ProjectStore(directory: common.store)
        let options = IngestOptions(selection: SampleSelection(catalog: catalog, spectypes: Set(spectype), anyZwarn: anyZwarn),
                                    workers: common.workers ?? ProcessInfo.processInfo.activeProcessorCount,
                                    force: force)
        let runner = try IngestRunner(project: project, options: options)
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
          store              \(store.directory): \(total) spectra
        """)
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
