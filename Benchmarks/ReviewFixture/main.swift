import ArgumentParser
import Foundation
import QADStoreFixtures

/// `qad-review-fixture`: a scored store of synthetic spectra for the review
/// load benchmark (Benchmarks/bench_review.sh). The fixture is test code, so
/// it is built beside qad, never into it.
struct ReviewFixture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qad-review-fixture",
        abstract: "Write a scored synthetic store (catalog, sparse cache, reconstructions, latents, scores) for review benchmarks.")

    @Option(name: .long, help: "Store folder (must not exist).")
    var out: String
    @Option(name: .customLong("n"), help: "Scored spectra.")
    var count = 1_000_000
    @Option(name: .customLong("with-data"), help: "Highest-scored spectra that carry real pixels (the rest are sparse).")
    var withData = 20_000
    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    func validate() throws {
        if count < 1 || withData < 0 { throw ValidationError("--n must be positive and --with-data not negative") }
        if FileManager.default.fileExists(atPath: out) { throw ValidationError("\(out) exists; give a new folder") }
    }

    func run() throws {
        let start = Date()
        let s = try SyntheticScoredStore.write(directory: out, spectra: count, spectraWithData: withData, seed: seed)
        print(String(format: "wrote %d scored spectra (%d with pixels) to %@ in %.1f s", s.spectra, s.withData, out,
                     Date().timeIntervalSince(start)))
    }
}

ReviewFixture.main()
