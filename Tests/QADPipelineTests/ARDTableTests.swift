import Foundation
import QADCore
import QADDetect
import QADFormats
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

@Suite struct ARDTableTests {
    /// Fixture rows of an upstream table, one per catalog quasar.
    struct Row {
        var id: TargetID, z: Double, bal: Double, latent: [Float], mse: Double, score: Double
    }

    func rows(_ catalog: QSOCatalog) -> [Row] {
        catalog.entries.keys.sorted().enumerated().map { i, id in
            Row(id: id, z: catalog[id]!.z, bal: i % 5 == 0 ? 0.9 : 0.05, latent: [Float(i), -0.25, 3e-7],
                mse: Double(i % 7) * 0.1, score: Double(i % 13) + 0.5)
        }
    }

    func insertSQL(_ table: String, _ rows: [Row]) -> String {
        "INSERT INTO \(table) VALUES " + rows.map { r in
            "(\(r.id), \(r.z), 'QSO', \(r.bal), ARRAY[\(r.latent.map { "\($0)" }.joined(separator: ","))]::real[], \(r.mse), \(r.score))"
        }.joined(separator: ",")
    }

    /// `qad ingest --ard-table` takes the sample and Z from the table (the
    /// same spectra and cache rows as the QSO catalog with the same Z give),
    /// and keeps the upstream columns for the seed's query.
    @Test(.needs(.postgres)) func ardTableIsASampleSourceAndItsColumnsAreRankable() throws {
        let cluster = try PostgresCluster.required()
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }  // hundreds of MB of FITS and cache
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: dir + "/sim", count: 300, seed: 21, spectraPerFile: 80))
        var catalog = QSOCatalog()
        try catalog.add(path: sim.catalogFile)
        let fixture = rows(catalog)
        let upstreamDB = databaseName(try cluster.makeDatabase(prefix: "upstream"))
        _ = try cluster.psql(upstreamDB, """
            CREATE SCHEMA ard;
            CREATE TABLE ard.qso_ard ("TARGETID" bigint, "Z_HELIO" double precision, "SPECTYPE" text, "BAL_PROB" real,
                                      "LATENT_VEC" real[], "RECON_MSE" double precision, "ANOMALY_SCORE" double precision);
            \(insertSQL("ard.qso_ard", fixture));
            """)
        let ardURL = "postgres://postgres@127.0.0.1:\(cluster.port)/\(upstreamDB)/ard.qso_ard?sslmode=disable"

        let url = try cluster.makeDatabase(), cache = dir + "/cache"
        try qad(["ingest", "--store", url, "--cache", cache, "--ard-table", ardURL, "--plain", dir + "/sim/healpix"])
        try qad(["ingest", "--store", dir + "/sqlite", "--qso-catalog", sim.catalogFile, "--plain", dir + "/sim/healpix"])
        let viaTable = try ProjectSnapshot(ProjectStore.open(store: url, cache: cache))
        let viaCatalog = try ProjectSnapshot(ProjectStore.open(store: dir + "/sqlite"))
        #expect(viaTable.spectra.count > 100)
        #expect(Set(viaTable.spectra.keys) == Set(viaCatalog.spectra.keys))
        #expect(viaTable.spectra.values.allSatisfy { $0.z == viaCatalog.spectra[$0.targetid]!.z })
        #expect(viaTable.rows == viaCatalog.rows)

        let store: any UpstreamARDStore = try makeStore(url: url)
        #expect(try store.upstreamCount() == fixture.count)
        let stored = try store.upstreamScores(for: [fixture[0].id])[fixture[0].id]
        #expect(stored?.latentVec == fixture[0].latent && stored?.balProb == Double(Float(0.9)) && stored?.spectype == "QSO")
        let query = UpstreamCandidateQuery(minAnomalyScore: 10, maxReconMSE: 0.45, maxBALProb: 0.5)
        let expected = fixture.filter { $0.score > 10 && $0.mse <= 0.45 && Double(Float($0.bal)) < 0.5 }
            .sorted { ($0.score, $1.id) > ($1.score, $0.id) }.map(\.id)
        #expect(!expected.isEmpty)
        #expect(try store.upstreamCandidates(query).map(\.targetid) == expected)
    }

    /// Schema and table names with quotes and comment markers, lower-case
    /// columns, no optional columns: quoted as identifiers, never run as SQL.
    @Test(.needs(.postgres)) func hostileTableNamesAreIdentifiersNotSQL() throws {
        let cluster = try PostgresCluster.required()
        let upstreamDB = databaseName(try cluster.makeDatabase(prefix: "upstream"))
        _ = try cluster.psql(upstreamDB, """
            CREATE SCHEMA "we""ird";
            CREATE TABLE "we""ird"."qso'ard; --" (targetid bigint, z_helio double precision, spectype text, bal_prob double precision);
            INSERT INTO "we""ird"."qso'ard; --" VALUES (1, 2.5, 'QSO''; DROP TABLE x; --', NULL), (2, NULL, NULL, 0.5);
            CREATE TABLE x (a int);
            """)
        let table = "we%22ird.qso%27ard%3B%20--"
        let ardURL = "postgres://postgres@127.0.0.1:\(cluster.port)/\(upstreamDB)/\(table)?sslmode=disable"
        let url = try cluster.makeDatabase()
        try qad(["ingest", "--store", url, "--cache", temporaryDirectory(), "--ard-table", ardURL])
        let store: any UpstreamARDStore = try makeStore(url: url)
        let rows = try store.upstreamScores(for: [1, 2])
        #expect(rows[1]?.spectype == "QSO'; DROP TABLE x; --" && rows[1]?.zHelio == 2.5 && rows[1]?.anomalyScore == nil)
        #expect(rows[2]?.zHelio == nil && rows[2]?.balProb == 0.5)
        #expect(try cluster.psql(upstreamDB, "SELECT count(*) FROM x").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let missing = try run(qadExecutable(), ["ingest", "--store", url, "--cache", temporaryDirectory(), "--ard-table",
                                                "postgres://postgres@127.0.0.1:\(cluster.port)/\(upstreamDB)/ard.nope?sslmode=disable"])
        #expect(missing.status != 0 && missing.output.contains("ard.nope: no such table"), "\(missing.output)")
    }
}
