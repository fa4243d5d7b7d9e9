import Foundation
import QADCore
import QADModel
import QADStore
import QADTestSupport
import Testing
@testable import QADModel

/// The model on a `qad simulate` survey, end to end through the binary:
/// simulate → ingest → train → infer. Normal quasars must reconstruct to
/// their noise (median χ²/dof ≤ 1.2); simulated localized anomalies and
/// anomalies injected into normal spectra must reconstruct clearly worse.
/// QAD_VAE_QUALITY_N sets the survey size (default 8000 spectra, ~60 % of
/// them quasars, to fit CI); Benchmarks/bench_vae.sh runs it at 20,000.
@Suite(.serialized) struct SimulatedSurveyQualityTests {
    @Test func normalQuasarsReconstructToTheirNoiseAndAnomaliesStandOut() throws {
        let qad = qadExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: qad), "build qad first (\(qad))")
        let env = ProcessInfo.processInfo.environment
        let n = env["QAD_VAE_QUALITY_N"].flatMap(Int.init) ?? 8000
        let dir = temporaryDirectory()
        let sim = dir + "/sim", store = dir + "/store"
        func step(_ args: [String]) throws -> String {
            let (status, output) = try run(qad, args)
            try #require(status == 0, "qad \(args.joined(separator: " ")) failed:\n\(output)")
            return output
        }
        _ = try step(["simulate", "--out", sim, "--n", String(n), "--anomaly-frac", "0.05", "--seed", "11"])
        _ = try step(["ingest", "--store", store, "--qso-catalog", sim + "/QSO_cat_sim.fits", sim + "/healpix", "--plain"])
        let log = try step(["train", "--store", store, "--seed", "2"])
        _ = try step(["infer", "--store", store, "--no-reconstructions"])

        // Validation loss falls, then flattens.
        let val = log.components(separatedBy: "\n").filter { $0.hasPrefix("epoch ") }.compactMap { line -> Double? in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            return f.firstIndex(of: "val").flatMap { Double(f[$0 + 1]) }
        }
        try #require(val.count >= 10, "\(log)")
        #expect(val.suffix(5).min()! < 0.5 * val[0], "validation loss \(val)")
        let tail = val.suffix(5)
        #expect((tail.max()! - tail.min()!) / tail.min()! < 0.1, "not flattening: \(val)")

        // Truth: anomaly type per TARGETID ("" for normal quasars).
        let truth = try String(contentsOfFile: sim + "/truth.csv", encoding: .utf8).split(separator: "\n")
        let header = truth[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let idCol = header.firstIndex(of: "TARGETID")!, anomalyCol = header.firstIndex(of: "ANOMALY")!
        var anomaly: [Int64: String] = [:]
        for line in truth.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            anomaly[Int64(f[idCol])!] = String(f[anomalyCol])
        }
        let project = try ProjectStore(directory: store)
        let outputs = try (project.store as! SQLiteStore).modelOutputs(model: "vae")
        try #require(outputs.count > n / 3)
        let snr = Dictionary(uniqueKeysWithValues: try project.store.spectra().map { ($0.targetid, $0.snr) })
        let normal = outputs.filter { anomaly[$0.targetid] == "" }.map(\.reconChi2)
        let normalMedian = median(normal)
        print("quality: \(normal.count) normal quasars, median χ²/dof \(normalMedian)")
        #expect(normalMedian <= 1.2, "median χ²/dof of normal quasars \(normalMedian)")

        // Simulated anomalies that are not smooth changes of a normal quasar
        // (BAL troughs, extra broad line components) reconstruct worse than
        // normal quasars of the same brightness. (Reddening and weak lines are
        // smooth: the latent space absorbs them; they show in the KL instead.)
        let bright = outputs.filter { (snr[$0.targetid] ?? 0) >= 2 }
        let brightNormal = median(bright.filter { anomaly[$0.targetid] == "" }.map(\.reconChi2))
        let localized = bright.filter { ["BAL", "EXTRA_BROAD_COMPONENT"].contains(anomaly[$0.targetid] ?? "") }.map(\.reconChi2)
        print("quality: S/N ≥ 2: normal median χ²/dof \(brightNormal); \(localized.count) BAL / extra-broad-line anomalies, median \(median(localized))")
        try #require(localized.count >= 10)
        // At S/N 2–5 per pixel a trough moves χ²/dof by only a few tens of per
        // cent: the check is that they sit above normal quasars, not by how much.
        #expect(median(localized) >= 1.05 * brightNormal, "simulated anomalies \(median(localized)) vs normal \(brightNormal)")

        // Injected anomalies: a BAL-like trough (half the flux over ~±20 bins,
        // ±5,500 km/s) put into normal quasars with S/N ≥ 2 must stand out clearly.
        let cache = try project.spectralCache()
        let (model, _) = try ModelFiles.load(from: store + "/models/vae")
        let chosen = outputs.filter { anomaly[$0.targetid] == "" && (snr[$0.targetid] ?? 0) >= 2 }.prefix(400)
        let bins = cache.bins
        var flux = Matrix(rows: chosen.count, columns: bins), weight = Matrix(rows: chosen.count, columns: bins)
        for (i, o) in chosen.enumerated() {
            let f = cache.flux.row(o.cacheRow), w = cache.weight.row(o.cacheRow)
            for j in 0..<bins { flux[i, j] = f[j]; weight[i, j] = w[j] }
        }
        var injected = flux
        var rng = SeededRandom(seed: 17)
        for i in 0..<chosen.count {
            let covered = (0..<bins).filter { weight[i, $0] > 0 }
            let center = covered[40 + Int(rng.next() % UInt64(max(1, covered.count - 80)))]
            for j in max(0, center - 40)..<min(bins, center + 40) {
                let x = Double(j - center) / 12
                injected[i, j] *= Float(1 - 0.5 * exp(-0.5 * x * x))
            }
        }
        let before = model.evaluate(flux: flux, weight: weight, threads: 2).chi2PerDof
        let after = model.evaluate(flux: injected, weight: weight, threads: 2).chi2PerDof
        let ratios = zip(after, before).map { $0 / $1 }
        let p90 = bright.filter { anomaly[$0.targetid] == "" }.map(\.reconChi2).sorted()[bright.count * 9 / 10 - 1]
        print("quality: injected troughs: median χ²/dof \(median(before)) → \(median(after)), median ratio \(median(ratios)), above normal p90 \(p90): \(after.filter { $0 > p90 }.count) of \(after.count) (before \(before.filter { $0 > p90 }.count)); simulated BAL/extra above p90: \(localized.filter { $0 > p90 }.count) of \(localized.count)")
        // Every injected spectrum must get worse, most of them by much more than
        // a reconstruction that merely follows the data would allow.
        #expect(median(ratios) >= 1.2, "injected anomalies raise χ²/dof by only \(median(ratios))×")
        #expect(Double(ratios.filter { $0 > 1.05 }.count) >= 0.9 * Double(ratios.count),
                "10th percentile ratio \(ratios.sorted()[ratios.count / 10])")
        #expect(median(after) >= 1.3 * median(before))
    }
}
