import ArgumentParser
import Foundation
import QADPipeline

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a DESI-format mock survey.",
        discussion: """
            Writes healpix coadd and redrock files (OUT/healpix/main/dark/…), a QSO catalog \
            (OUT/QSO_cat_sim.fits) and the truth table (OUT/truth.csv). With --epochs F, a \
            share F of the quasars is observed again (OUT/healpix/special/dark/…): ordinary \
            damped-random-walk variability, and for --epoch-changes of all quasars a changing look, \
            a BAL trough emerging or vanishing, or a class change; the truth is in OUT/epochs.csv \
            (docs/epochs.md). The same seed gives identical files.
            """)

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String

    @Option(name: .customLong("n"), help: "Number of spectra (all classes).")
    var count: Int

    @Option(name: .customLong("anomaly-frac"), help: "Fraction of quasars with an injected anomaly (0…1).")
    var anomalyFraction: Double = 0

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("per-file"), help: "Spectra per healpix file.")
    var perFile: Int = 500

    @Option(name: .customLong("quasar-frac"), help: "Fraction of spectra that are quasars (0…1); the rest are galaxies and stars.")
    var quasarFraction: Double = 0.6

    @Option(name: .long, help: "Fraction of quasars observed a second time (0…1).")
    var epochs: Double = 0

    @Option(name: .customLong("epoch-changes"), help: "Fraction of all quasars whose second epoch shows a change (≤ --epochs).")
    var epochChanges: Double = 0.01

    var config: SimulationConfig {
        var c = SimulationConfig(outputDirectory: out, count: count, anomalyFraction: anomalyFraction, seed: seed,
                                 quasarFraction: quasarFraction, spectraPerFile: perFile)
        c.epochFraction = epochs
        c.epochChangeFraction = min(epochChanges, epochs)
        return c
    }

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out must name a directory") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDir), !isDir.boolValue {
            throw ValidationError("--out \(out) exists and is not a directory")
        }
        if let problem = config.problem { throw ValidationError(problem) }
    }

    func run() async throws {
        let total = count
        var lastShown = -1
        let summary = try simulateSurvey(config) { done in
            // One progress line per ~10% on stderr.
            let step = done * 10 / max(total, 1)
            if step != lastShown {
                lastShown = step
                FileHandle.standardError.write(Data("  simulated \(done)/\(total) spectra\n".utf8))
            }
        }
        print("Wrote \(summary.files) healpix files (\(summary.files) coadd + \(summary.files) redrock) under \(summary.outputDirectory)/healpix/main/dark")
        print("  spectra:   \(summary.spectra) (\(summary.quasars) QSO, \(summary.galaxies) GALAXY, \(summary.stars) STAR)")
        let types = summary.anomaliesByType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("  anomalies: \(summary.anomalies)" + (types.isEmpty ? "" : " (\(types))"))
        print(String(format: "  median quasar SNR: %.2f", summary.medianQuasarSNR))
        print("  catalog:   \(summary.catalogFile)")
        print("  truth:     \(summary.truthFile)")
        if let epochs = summary.epochTruthFile {
            let kinds = summary.repeatsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("  repeats:   \(summary.repeats) quasars observed again in \(summary.repeatFiles.count) files (\(kinds))")
            print("  epochs:    \(epochs)")
        }
        print(String(format: "  elapsed:   %.1f s", summary.elapsedSeconds))
    }
}
