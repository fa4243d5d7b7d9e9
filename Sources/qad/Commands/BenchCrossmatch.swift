import ArgumentParser
import Foundation
import QADCrossmatch

extension Bench {
    /// The matcher on two files, without a store: what Benchmarks/bench_crossmatch.sh
    /// times beside astropy's search_around_sky on the same files.
    struct CrossmatchFiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "crossmatch",
            abstract: "Match a targets file against a catalog file and print the time and pair count.")

        @Option(help: "Targets: FITS, CSV or Parquet with TARGETID, RA, DEC (degrees).")
        var targets: String

        @Option(help: "Catalog: FITS, CSV or Parquet with SOURCE_ID, RA, DEC (degrees).")
        var catalog: String

        @Option(help: "Match radius in arcseconds.")
        var radius = 2.0

        @Option(help: "Threads (default: all cores).")
        var threads: Int?

        @Option(name: .customLong("pairs-out"), help: "Also write the pairs as CSV.")
        var pairsOut: String?

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let start = Date()
            let t = try SkyTargets.load(path: targets, id: "TARGETID", ra: "RA", dec: "DEC")
            let loaded = Date().timeIntervalSince(start)
            var request = CrossmatchRequest(catalogPath: catalog, radiusArcsec: radius)
            request.idColumn = "SOURCE_ID"
            request.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
            let sink = try pairsOut.map { try PairsCSVWriter(path: $0) }
            let result = try Crossmatcher(targets: t).run(request, pairs: sink)
            try sink?.finish()
            let total = Date().timeIntervalSince(start)
            print(String(format: "qad: %d targets x %d sources at %g arcsec: %d pairs, %d targets matched; "
                         + "targets read %.2f s, index+match+density %.2f s, total %.2f s (%d threads)",
                         t.count, result.sourcesRead, radius, result.pairs, result.matchedTargets, loaded, result.seconds,
                         total, request.threads))
        }
    }
}
