import ArgumentParser
import Foundation
import QADCrossmatch
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
    var raUnit = "deg"

    @Option(name: .customLong("dec-unit"), help: "Unit of the Dec column: deg or rad.")
    var decUnit = "deg"

    @Option(help: "Match radius in arcseconds.")
    var radius = 2.0

    @Option(name: .customLong("pairs-out"), help: "Write every pair within the radius as CSV (TARGETID, the id column, SEP_ARCSEC).")
    var pairsOut: String?

    @Option(help: "Column names of a survey: \(CatalogPreset.all.map(\.name).joined(separator: "|")).")
    var preset: String?

    @Option(help: "Columns of the nearest source to keep, comma-separated (beside the preset's).")
    var keep: String?

    @Option(name: .customLong("chunk-rows"), help: "Catalog rows read at a time (CSV and FITS).")
    var chunkRows = 1 << 20

    func validate() throws {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--name must be a plain word (it names the stored matches)")
        }
        guard radius.isFinite, radius >= 0, radius < 36000 else { throw ValidationError("--radius must be in [0, 36000) arcsec") }
        guard AngleUnit(spelling: raUnit) != nil else { throw ValidationError("--ra-unit must be deg, hour or rad") }
        guard let d = AngleUnit(spelling: decUnit), d != .hour else { throw ValidationError("--dec-unit must be deg or rad") }
        if let preset, CatalogPreset.named(preset) == nil {
            throw ValidationError("--preset must be one of \(CatalogPreset.all.map(\.name).joined(separator: ", "))")
        }
        if chunkRows < 1 { throw ValidationError("--chunk-rows must be at least 1") }
        guard FileManager.default.fileExists(atPath: catalog) else { throw ValidationError("\(catalog): no such file") }
    }

    func run() async throws {
        let project = try common.openProject()
        guard let store = project.store as? CrossmatchStore else { throw StoreError("this store cannot hold cross-matches") }
        let positions = try store.targetPositions()
        let unplaced = try store.targetsWithoutPosition()
        if unplaced > 0 { log("note: \(unplaced) spectra have no RA/Dec and are not matched") }
        guard !positions.isEmpty else {
            throw StoreError("\(project.location): no spectra with positions to match (run qad ingest first)")
        }
        let targets = try SkyTargets(ids: positions.map(\.targetid), ra: positions.map(\.ra), dec: positions.map(\.dec),
                                     source: project.catalogLocation + " spectrum")

        var request = CrossmatchRequest(catalogPath: catalog, radiusArcsec: radius)
        request.raColumn = raColumn
        request.decColumn = decColumn
        request.idColumn = idColumn
        request.raUnit = AngleUnit(spelling: raUnit)!
        request.decUnit = AngleUnit(spelling: decUnit)!
        request.keep = (keep ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        request.preset = preset.flatMap(CatalogPreset.named)
        request.chunkRows = chunkRows
        request.threads = common.workers ?? ProcessInfo.processInfo.activeProcessorCount
        try Self.perform(request, name: name, targets: targets, store: store, pairsOut: pairsOut)
    }

    /// Matches, stores the matches under `name` and prints the summary.
    static func perform(_ request: CrossmatchRequest, name: String, targets: SkyTargets, store: CrossmatchStore,
                        pairsOut: String?) throws {
        let radius = request.radiusArcsec
        let matcher = Crossmatcher(targets: targets)
        var pairs: PairsCSVWriter?
        let result: CrossmatchResult
        let started = Date()
        var lastReport = started
        do {
            pairs = try pairsOut.map { try PairsCSVWriter(path: $0) }
            result = try matcher.run(request, pairs: pairs) { read in
                if Date().timeIntervalSince(lastReport) >= 3 {
                    lastReport = Date()
                    log(String(format: "progress: %d catalog rows, %.0f rows/s", read, Double(read) / Date().timeIntervalSince(started)))
                }
            }
            try pairs?.finish()
        } catch {
            pairs?.abandon()
            throw error
        }
        let (record, matches) = try StoredCrossmatch.records(name: name, preset: request.preset?.name, result: result,
                                                             targets: targets)
        try store.replaceCrossmatch(record, matches: matches)
        let chanceTotal = result.expectedFalseMatches
        print(String(format: "%@: %d sources read, %d of %d targets matched within %g″ (%d pairs) in %.1f s",
                     name, result.sourcesRead, result.matchedTargets, targets.count, radius, result.pairs, result.seconds))
        print(String(format: "expected chance matches among them: %.2f (%.2f%%), from the local densities",
                     chanceTotal, result.matchedTargets > 0 ? 100 * chanceTotal / Double(result.matchedTargets) : 0))
        if !result.keptColumns.isEmpty { print("kept: " + result.keptColumns.map(\.name).joined(separator: ", ")) }
        if let pairsOut { print("pairs → \(pairsOut)") }
    }
}
