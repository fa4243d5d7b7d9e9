import ArgumentParser
import Foundation
import QADPipeline
import QADSpectra

struct Inject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a DESI-format survey and inject anomalies into a fraction of its quasars.",
        discussion: """
            Classes: \(InjectedAnomaly.classNames.joined(separator: ", ")). Spectra change in the copied \
            coadd FLUX images (the noise is kept); WRONG_Z changes the redrock and catalog Z. Writes the \
            truth table OUT/injected.csv for qad evaluate. Parameter ranges: docs/scores.md.
            """)

    @Option(name: .long, help: "Survey folder (coadd + redrock files, e.g. from qad simulate).")
    var input: String

    @Option(name: .long, help: "Output folder (must not exist).")
    var out: String

    @Option(name: .customLong("qso-catalog"), help: "QSO catalog defining the quasar sample (repeatable); its Z changes for WRONG_Z.")
    var qsoCatalogs: [String] = []

    @Option(name: .long, help: "Accepted redrock SPECTYPE without a catalog (repeatable), as qad ingest.")
    var spectype: [String] = ["QSO"]

    @Flag(name: .customLong("any-zwarn"), help: "Without a catalog, accept rows with ZWARN != 0, as qad ingest.")
    var anyZwarn = false

    @Option(name: .long, help: "Fraction of quasars that receive an anomaly (0…1).")
    var fraction = 0.01

    @Option(name: .long, parsing: .upToNextOption, help: "Classes to draw from (default: all).")
    var classes: [String] = []

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Files changed at once (default: all cores).")
    var workers: Int?

    func validate() throws {
        if !(0...1).contains(fraction) { throw ValidationError("--fraction must be within 0…1") }
        let unknown = classes.flatMap { $0.split(separator: ",").map(String.init) }
            .filter { !InjectedAnomaly.classNames.contains($0) }
        if !unknown.isEmpty {
            throw ValidationError("unknown classes \(unknown.joined(separator: ", ")); known: \(InjectedAnomaly.classNames.joined(separator: ", "))")
        }
        if FileManager.default.fileExists(atPath: out) { throw ValidationError("--out \(out) already exists") }
    }

    func run() async throws {
        var config = InjectionConfig(inputDirectory: input, outputDirectory: out)
        config.qsoCatalogs = qsoCatalogs
        config.spectypes = Set(spectype)
        config.anyZwarn = anyZwarn
        config.fraction = fraction
        config.seed = seed
        if !classes.isEmpty { config.classes = classes.flatMap { $0.split(separator: ",").map(String.init) } }
        if let workers { config.workers = workers }
        let summary = try injectSurvey(config)
        print("Injected \(summary.injected) anomalies into \(summary.quasars) quasars (\(summary.files) files) → \(out)")
        for (name, n) in summary.byClass.sorted(by: { $0.key < $1.key }) { print("  \(name): \(n)") }
        print("  truth: \(summary.truthFile)")
    }
}
