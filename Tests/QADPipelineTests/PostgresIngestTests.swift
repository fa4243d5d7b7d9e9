import Foundation
import QADCore
import QADDetect
import QADFormats
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

@Suite struct PostgresIngestTests {
    /// The same ingest into SQLite and PostgreSQL gives the same catalog,
    /// problems and cache bytes; the whole pipeline then gives the same scores.
    @Test(.needs(.postgres)) func ingestTrainInferMatchSQLite() async throws {
        let cluster = try PostgresCluster.required()
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }  // hundreds of MB of FITS and cache
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: dir + "/sim", count: 400, anomalyFraction: 0.05, seed: 11,
                                                      spectraPerFile: 70))
        let sqlite = dir + "/sqlite", pg = try cluster.makeDatabase(), pgCache = dir + "/pg-cache"
        for (store, cache) in [(sqlite, nil), (pg, pgCache)] as [(String, String?)] {
            let storeArgs = ["--store", store] + (cache.map { ["--cache", $0] } ?? [])
            try qad(["ingest"] + storeArgs + ["--qso-catalog", sim.catalogFile, "--plain", "--workers", "2", dir + "/sim/healpix"])
            try qad(["train"] + storeArgs + ["--epochs", "2", "--seed", "3", "--threads", "2"])
            try qad(["infer"] + storeArgs + ["--threads", "2"])
            try qad(["score"] + storeArgs + ["--threads", "2"])
        }
        let a = try ProjectStore.open(store: sqlite), b = try ProjectStore.open(store: pg, cache: pgCache)
        #expect(try a.store.spectrumCount() > 100)
        expectSameContent(try ProjectSnapshot(a), try ProjectSnapshot(b))
        let outA = try a.store.modelOutputs(model: "vae")
        let outB = try b.store.modelOutputs(model: "vae")
        #expect(outA.count == (try a.store.spectrumCount()))
        #expect(outA == outB)
        let latents = "models/vae/latent_mu.npy"
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(sqlite)/\(latents)"))
                == Data(contentsOf: URL(fileURLWithPath: "\(pgCache)/\(latents)")))
        // The same scores, and the same candidates through the same typed query.
        let scoresA = try a.store.scores(model: "vae")
        let scoresB = try b.store.scores(model: "vae")
        #expect(scoresA.count == outA.count)
        #expect(scoresA == scoresB)
        var query = CandidateQuery()
        query.limit = 10
        query.bal = .exclude
        query.zMin = 1
        #expect(try a.store.candidates(query) == b.store.candidates(query))
        #expect(try a.store.candidateCount(query) == b.store.candidateCount(query))
    }

    /// A store killed between its cache append and its commit, re-run: the
    /// PostgreSQL store recovers like SQLite (rows beyond the committed count cut).
    @Test(.needs(.postgres)) func reRunningIngestAddsNothing() async throws {
        let cluster = try PostgresCluster.required()
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }  // hundreds of MB of FITS and cache
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: dir + "/sim", count: 150, seed: 5, spectraPerFile: 50))
        let store = try PostgresStore(url: try cluster.makeDatabase())
        let project = try ProjectStore(store: store, directory: dir + "/cache", location: "pg")
        var catalog = QSOCatalog()
        try catalog.add(path: sim.catalogFile)
        let options = IngestOptions(selection: SampleSelection(catalog: catalog), workers: 2)
        let first = try await IngestRunner(project: project, options: options).run(paths: [dir + "/sim/healpix"])
        let again = try await IngestRunner(project: project, options: options).run(paths: [dir + "/sim/healpix"])
        #expect(first.spectraIngested > 50 && first.filesIngested == 3)
        #expect(again.spectraIngested == 0 && again.filesAlreadyDone == 3)
        #expect(try store.spectrumCount() == first.spectraIngested)
    }
}
