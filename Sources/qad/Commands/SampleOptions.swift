import ArgumentParser
import Foundation
import QADCore
import QADFormats
import QADPipeline
import QADStore

/// Which spectra are the sample: shared by `qad ingest` and `qad worker`, so
/// workers select exactly as a single-process ingest would.
struct SampleOptions: ParsableArguments {
    @Option(name: .customLong("qso-catalog"), help: "DESI QSO catalog or AGN/QSO VAC (repeatable).")
    var qsoCatalogs: [String] = []

    @Option(name: .customLong("ard-table"), help: ArgumentHelp(
        "Upstream ARD table postgres://USER@HOST:PORT/DATABASE/SCHEMA.TABLE (e.g. …/ard.qso_ard).",
        discussion: "Its TARGETIDs join the sample with Z_HELIO as z, like a QSO catalog; its upstream columns are stored in table upstream_ard."))
    var ardTable: String?

    @Option(name: .long, help: "Accepted redrock SPECTYPE / SDSS CLASS without a catalog (repeatable).")
    var spectype: [String] = ["QSO"]

    @Flag(name: .customLong("any-zwarn"), help: "Accept rows with ZWARN != 0 (default: ZWARN == 0 only).")
    var anyZwarn = false

    func validate() throws {
        for p in qsoCatalogs where !FileManager.default.fileExists(atPath: p) {
            throw ValidationError("\(p): no such file or folder")
        }
        if let ardTable {
            do { _ = try ARDTableReader(url: ardTable) } catch { throw ValidationError("--ard-table: \(error)") }
        }
    }

    /// Reads the catalogs and the ARD table (storing its upstream columns in `project`).
    func selection(project: ProjectStore) throws -> SampleSelection {
        try SampleSelection.make(project: project, qsoCatalogs: qsoCatalogs, ardTable: ardTable, spectypes: spectype,
                                 anyZwarn: anyZwarn, log: { log($0) })
    }
}
