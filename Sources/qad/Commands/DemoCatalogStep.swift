import Foundation
import QADCrossmatch
import QADExport
import QADFormats
import QADModel
import QADPipeline
import QADStore

/// The catalog stages of `qad demo`: a cross-match against a simulated
/// AllWISE-like catalog (`qad crossmatch --preset wise`) and the anomaly
/// catalog exported in all four formats (`qad export --all`). Returns the
/// exported files.
func runDemoCatalogStep(project: ProjectStore, seed: UInt64, first step: Int, out: String) throws -> [String] {
    let positions = try project.store.targetPositions()
    let catalogPath = out + "/allwise-sim.fits"
    let spectra = try project.store.spectra()
    let isQuasar = Dictionary(spectra.map { ($0.targetid, ($0.spectype ?? "QSO") == "QSO") }, uniquingKeysWith: { a, _ in a })
    let sources = try PhotometricCatalogSimulator.write(
        targets: positions.map { .init(targetID: $0.targetid, ra: $0.ra, dec: $0.dec, isQuasar: isQuasar[$0.targetid] ?? true) },
        to: catalogPath, seed: seed)
    print("\(step)/9 crossmatch: against a simulated AllWISE-like catalog of \(sources) sources (qad crossmatch --preset wise --radius 2)")
    var request = CrossmatchRequest(catalogPath: catalogPath, radiusArcsec: 2)
    request.preset = CatalogPreset.wise
    print("    ", terminator: "")
    try Crossmatch.perform(request, name: "allwise", project: project, pairsOut: nil)

    print("\(step + 1)/9 export: every scored spectrum with scores, explanations and WISE columns (qad export --all)")
    var written: [String] = []
    for format in [CatalogFormat.fits, .csv, .parquet, .votable] {
        let path = out + "/qad-catalog." + (format == .votable ? "vot" : format.rawValue)
        let table = try ExportStage(project: project).write(format: format, to: path, all: true)
        print("    \(table.rowCount) rows, \(table.columns.count) columns → \(path)")
        written.append(path)
    }
    return written
}
