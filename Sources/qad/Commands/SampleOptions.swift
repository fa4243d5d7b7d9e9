import ArgumentParser
import Foundation
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
        var catalog = QSOCatalog()
        for path in qsoCatalogs {
            do { try catalog.add(path: path) } catch { throw ValidationError("\(error)") }
        }
        if !qsoCatalogs.isEmpty { log("QSO catalog: \(catalog.count) targets from \(qsoCatalogs.count) file(s)") }
        if let ardTable {
            let reader = try ARDTableReader(url: ardTable)
            let rows = try reader.read()
            guard let upstream = project.store as? any UpstreamARDStore else {
                throw StoreError("\(project.location): this store cannot keep upstream ARD columns")
            }
            try upstream.saveUpstream(rows)
            var added = 0, noZ = 0
            for r in rows {
                guard let z = r.zHelio, z.isFinite else { noZ += 1; continue }
                if catalog.add(r.targetid, QSOCatalogEntry(z: z, balProb: r.balProb), source: reader.name) { added += 1 }
            }
            log("ARD table \(reader.name): \(rows.count) rows stored as upstream_ard; \(added) join the sample"
                + (noZ > 0 ? " (\(noZ) without Z_HELIO left out)" : ""))
        }
        return SampleSelection(catalog: catalog, spectypes: Set(spectype), anyZwarn: anyZwarn)
    }
}
