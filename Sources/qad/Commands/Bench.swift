import ArgumentParser
import Foundation
import QADCrossmatch
import QADCore
import QADPipeline
import QADStore

/// Benchmarks that live in the binary; the comparisons against Python peers
/// are the scripts in Benchmarks/.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print where ingest's time goes, per stage and per spectrum; time the latent-space scorers, the cross-match, catalog commits and Parquet reads.",
        subcommands: [Stages.self, Detect.self, CrossmatchFiles.self, Copy.self, Parquet.self, Relevance.self])

    struct Stages: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Microseconds per spectrum of each preprocessing stage on one DESI coadd (all rows, one thread).")

        @Argument(help: "A DESI coadd file (e.g. one written by qad simulate).")
        var coadd: String

        @Option(help: "Redshift used for every row.")
        var z: Double = 2.0

        func validate() throws {
            guard FileManager.default.fileExists(atPath: coadd) else { throw ValidationError("\(coadd): no such file") }
            guard z > 0 else { throw ValidationError("--z must be positive") }
        }

        func run() throws {
            let t = try PreprocessingStageTimer(path: coadd).run(z: z)
            print("\(t.spectra) spectra from \(coadd), one thread, steady state:")
            for (name, us) in t.microseconds {
                print("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%8.1f µs/spectrum", us))
            }
        }
    }
}
