import Foundation
import QADCore
import QADFormats
import QADStore

extension SampleSelection {
    /// The sample `qad ingest` and `qad worker` select: the QSO catalogs, the
    /// upstream ARD table's targets (its columns stored in the project as
    /// `upstream_ard`), else redrock's SPECTYPE and ZWARN. `log` reports what
    /// was read.
    public static func make(project: ProjectStore, qsoCatalogs: [String], ardTable: String?, spectypes: [String],
                            anyZwarn: Bool, log: (String) -> Void = { _ in }) throws -> SampleSelection {
        var catalog = QSOCatalog()
        for path in qsoCatalogs { try catalog.add(path: path) }
        if !qsoCatalogs.isEmpty { log("QSO catalog: \(catalog.count) targets from \(qsoCatalogs.count) file(s)") }
        if let ardTable {
            let reader = try ARDTableReader(url: ardTable)
            let rows = try reader.read()
            try project.store.saveUpstream(rows)
            var added = 0, noZ = 0
            for r in rows {
                guard let z = r.zHelio, z.isFinite else { noZ += 1; continue }
                if catalog.add(r.targetid, QSOCatalogEntry(z: z, balProb: r.balProb), source: reader.name) { added += 1 }
            }
            log("ARD table \(reader.name): \(rows.count) rows stored as upstream_ard; \(added) join the sample"
                + (noZ > 0 ? " (\(noZ) without Z_HELIO left out)" : ""))
        }
        return SampleSelection(catalog: catalog, spectypes: Set(spectypes), anyZwarn: anyZwarn)
    }
}
