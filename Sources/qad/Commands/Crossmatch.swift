import ArgumentParser
import Foundation
import QADCore
import QADCrossmatch
import QADPipeline
import QADStore

struct Crossmatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Match the store's targets against an external catalog (FITS, CSV or Parquet).",
        discussion: """
        For each target: the nearest source within --radius, the number of sources within it, the kept \
        columns of the nearest one, and the expected number of chance matches from the catalog's local \
        density (HEALPix counts around the target × π r²). Separations are exact on the sphere. The catalog \
        is streamed in chunks, so it may be larger than memory. Re-running with the same --name replaces that \
        catalog's matches in one transaction; a failed run leaves the store as it was.
        Presets (--preset) know the usual column names: \(CatalogPreset.all.map(\.name).joined(separator: ", ")).
        """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(help: "External catalog: .fits/.fits.gz (first binary table), .csv or .parquet.")
    var catalog: String

    @Option(help: "Name the matches are stored under (e.g. allwise).")
    var name: String

    @Option(name: .customLong("ra-col"), help: "RA column (default: the preset's, else RA/TARGET_RA/RAJ2000).")
    var raColumn: String?

    @Option(name: .customLong("dec-col"), help: "Dec column (default: the preset's, else DEC/TARGET_DEC/DEJ2000).")
    var decColumn: String?

    @Option(name: .customLong("id-col"), help: "Source id column (default: the preset's, else the row number).")
    var idColumn: String?

    @Option(name: .customLong("ra-unit"), help: "Unit of the RA column: deg, hour or rad.")
    var raUnit = AngleUnit.degree

    @Option(name: .customLong("dec-unit"), help: "Unit of the Dec column: deg or rad.")
    var decUnit = AngleUnit.degree

    @Option(help: "Match radius in arcseconds.")
    var radius = 2.0

    @Option(name: .customLong("pairs-out"), help: "Write every pair within the radius as CSV (TARGETID, the id column, SEP_ARCSEC).")
    var pairsOut: String?

    @Option(help: "Column names of a survey: \(CatalogPreset.all.map(\.name).joined(separator: "|")).")
    var preset: CatalogPreset?

    @Option(help: "Columns of the nearest source to keep, comma-separated (beside the preset's).")
    var keep: NameList?

    @Option(name: .customLong("chunk-rows"), help: "Catalog rows read at a time (CSV and FITS).")
    var chunkRows = 1 << 20

    func validate() throws {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--name must be a plain word (it names the stored matches)")
        }
        guard radius.isFinite, radius >= 0, radius < 36000 else { throw ValidationError("--radius must be in [0, 36000) arcsec") }
        guard decUnit != .hour else { throw ValidationError("--dec-unit must be deg or rad") }
        if chunkRows < 1 { throw ValidationError("--chunk-rows must be at least 1") }
        guard FileManager.default.fileExists(atPath: catalog) else { throw ValidationError("\(catalog): no such file") }
    }

    func run() async throws {
        var request = CrossmatchRequest(catalogPath: catalog, radiusArcsec: radius)
        request.raColumn = raColumn
        request.decColumn = decColumn
        request.idColumn = idColumn
        request.raUnit = raUnit
        request.decUnit = decUnit
        request.keep = keep?.names ?? []
        request.preset = preset
        request.chunkRows = chunkRows
        request.threads = parallel.workers ?? ProcessInfo.processInfo.activeProcessorCount
        try Self.perform(request, name: name, project: try common.openProject(), pairsOut: pairsOut)
    }

    /// Matches, stores the matches under `name` and prints the summary.
    static func perform(_ request: CrossmatchRequest, name: String, project: ProjectStore, pairsOut: String?) throws {
        var stage = CrossmatchStage(project: project)
        stage.progress = { read, rate in log(String(format: "progress: %d catalog rows, %.0f rows/s", read, rate)) }
        let outcome = try stage.run(request, name: name, pairsOut: pairsOut)
        let result = outcome.result
        if outcome.unplaced > 0 { log("note: \(outcome.unplaced) spectra have no RA/Dec and are not matched") }
        let chanceTotal = result.expectedFalseMatches
        print(String(format: "%@: %d sources read, %d of %d targets matched within %g″ (%d pairs) in %.1f s",
                     name, result.sourcesRead, result.matchedTargets, outcome.targets, request.radiusArcsec, result.pairs,
                     result.seconds))
        print(String(format: "expected chance matches among them: %.2f (%.2f%%), from the local densities",
                     chanceTotal, result.matchedTargets > 0 ? 100 * chanceTotal / Double(result.matchedTargets) : 0))
        if !result.keptColumns.isEmpty { print("kept: " + result.keptColumns.map(\.name).joined(separator: ", ")) }
        if let pairsOut { print("pairs → \(pairsOut)") }
    }
}
