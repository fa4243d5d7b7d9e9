import ArgumentParser
import Foundation
import QADCore
import QADStore

extension Bench {
    /// Rows per second of the catalog commit path (COPY on PostgreSQL, one
    /// prepared INSERT on SQLite), without reading or preprocessing anything.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Spectrum catalog rows/s committed to a store (COPY on PostgreSQL), in files of --per-file rows.")

        @Option(name: .long, help: "A postgres:// URL or a store folder; use an empty database or a scratch folder.")
        var store: String

        @Option(name: .long, help: "Rows in all.")
        var rows: Int = 200_000

        @Option(name: .customLong("per-file"), help: "Rows per commit (one input file's worth).")
        var perFile: Int = 5_000

        func validate() throws {
            if rows < 1 || perFile < 1 { throw ValidationError("--rows and --per-file must be positive") }
        }

        func run() throws {
            let target = try makeStore(url: store)
            let start = Date()
            var done = 0, file = 0
            while done < rows {
                let n = min(perFile, rows - done)
                let path = "bench-copy-\(file).fits"
                let spectra = (0..<n).map { i in
                    let row = done + i
                    return SpectrumRecord(
                        targetid: 39_627_000_000_000_000 + TargetID(row), ra: Double(row % 3600) / 10, dec: -5.25,
                        z: 0.05 + Double(row % 6700) / 1000, zSource: "catalog", spectype: "QSO", zwarn: 0,
                        deltachi2: 123.4, balProb: 0.01, biCiv: nil, aiCiv: nil, snr: 2.3, amplitude: 1.7, maskFrac: 0.01,
                        zeroIvarFrac: 0, armStep: 0.2, nbins: 1200, flags: 0, survey: "DESI", sourceFile: path,
                        sourceHdu: "FIBERMAP", sourceRow: i, cacheShard: "bench", cacheRow: row)
                }
                let record = IngestedFileRecord(path: path, size: 1, mtime: 0, status: .done, nSpectra: n, nSkipped: 0,
                                                ingestedAt: Date().timeIntervalSince1970)
                try target.commit(FileCommit(file: record, spectra: spectra, problems: []), shard: "bench",
                                  shardRows: done + n, columns: 3276)
                done += n
                file += 1
            }
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "%d rows in %d commits, %.2f s: %.0f rows/s", done, file, seconds, Double(done) / seconds))
        }
    }
}
