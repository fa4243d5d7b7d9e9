import Foundation
import QADCore
import QADDetect
import QADLabels
import QADStore
import QADTestSupport
import Testing

/// simulate → inject → ingest → train → infer → score → rank → evaluate, as
/// processes of the built `qad`, on a small survey.
@Suite(.serialized) struct ScoreCommandTests {
    @Test func scoresRankAndEvaluateASimulatedSurvey() throws {
        let qad = qadExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: qad), "build qad first (\(qad))")
        let dir = temporaryDirectory()
        func ok(_ args: [String]) throws -> String {
            let (status, output) = try run(qad, args)
            #expect(status == 0, "qad \(args.joined(separator: " ")): \(output)")
            return output
        }
        _ = try ok(["simulate", "--out", dir + "/sim", "--n", "2500", "--seed", "8", "--per-file", "500"])
        _ = try ok(["inject", "--input", dir + "/sim", "--out", dir + "/inj", "--qso-catalog", dir + "/sim/QSO_cat_sim.fits",
                    "--fraction", "0.05", "--seed", "8"])
        let store = dir + "/store"
        _ = try ok(["ingest", "--store", store, "--qso-catalog", dir + "/inj/QSO_cat_sim.fits", dir + "/inj"])
        _ = try ok(["train", "--store", store, "--epochs", "15", "--seed", "8"])
        // Scoring before inference is refused with a message that says what to do.
        let early = try run(qad, ["score", "--store", store])
        #expect(early.status != 0 && early.output.contains("qad infer"))
        _ = try ok(["infer", "--store", store])
        // A tail window too small to fit a tail is a usage error, and so are a
        // tail fraction outside (0, 0.5), a combination naming no component and
        // a forest limit outside the grid: each refused with a message naming it.
        for (options, message) in [(["--tail-window", "50"], "--tail-window"), (["--tail-fraction", "0.5"], "--tail-fraction"),
                                   (["--combine", "local_rest,colur"], "'colur' is not a component score"),
                                   (["--combine", "lines,lines"], "'lines' given twice"),
                                   (["--combine", "score"], "'score' is not a component score"),
                                   (["--forest-limit", "300"], "--forest-limit")] {
            let refused = try run(qad, ["score", "--store", store] + options)
            #expect(refused.status != 0 && refused.output.contains(message), "\(options): \(refused.output)")
        }
        #expect(try ok(["score", "--store", store]).contains("scored"))
        #expect(try ok(["score", "--store", store]).contains("already scored"))

        let project = try ProjectStore(directory: store)
        let scoreStore = project.store as any ScoreStore
        let scores = try scoreStore.scores(model: "vae")
        #expect(scores.count == (try project.store.spectrumCount()))
        let ids = try project.store.allTargetIDs()
        for s in scores {
            for name in ScoreName.allCases {
                #expect(s.value(name).isFinite, "\(s.targetid) \(name.rawValue)")
                #expect(s.percentile(name) > 0 && s.percentile(name) < 100)
            }
            #expect(s.neighbors.count == 5 && s.neighbors.allSatisfy { ids.contains($0) && $0 != s.targetid })
        }
        let top = scores.max { $0.score < $1.score }!
        #expect(!top.explanation.isEmpty)

        // The injected anomalies rank high: far better than chance and than χ²/dof alone.
        let evaluation = try ok(["evaluate", "--store", store, "--truth", dir + "/inj/injected.csv", "--json", dir + "/eval.json"])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/eval.json"))) as! [String: Any]
        let byName = Dictionary(uniqueKeysWithValues: (report["scores"] as! [[String: Any]]).map { ($0["score"] as! String, $0) })
        let combined = byName["score"]!, chi2 = byName["recon_chi2"]!
        #expect(combined["rocAUC"] as! Double > 0.8, "\(evaluation)")
        #expect(combined["rocAUC"] as! Double > chi2["rocAUC"] as! Double)
        #expect(abs(combined["spearmanSNR"] as! Double) < 0.15, "\(evaluation)")
        #expect((combined["precisionAt"] as! [String: Double])["1%"]! > 0.4, "\(evaluation)")

        // rank: typed filters, exact TARGETIDs in JSON and CSV.
        let json = try ok(["rank", "--store", store, "--limit", "5", "--format", "json", "--z-min", "1", "--exclude-flags", "LOW_SNR"])
        let items = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        #expect(items.count == 5)
        for item in items {
            let id = (item["targetid"] as! NSNumber).int64Value
            #expect(ids.contains(id))
            #expect((item["z"] as! Double) >= 1)
            #expect(!(item["flags"] as! [String]).contains("LOW_SNR"))
        }
        let scoresInOrder = items.map { $0["score"] as! Double }
        #expect(scoresInOrder == scoresInOrder.sorted(by: >))
        let csv = try ok(["rank", "--store", store, "--limit", "0", "--format", "csv", "--bal", "exclude"])
        let csvLines = csv.split(separator: "\n")
        let balColumn = try #require(csvLines[0].split(separator: ",").firstIndex(of: "BAL"))
        let rows = csvLines.dropFirst()
        #expect(rows.allSatisfy { $0.split(separator: ",")[balColumn] == "N" })
        for row in rows.prefix(20) { #expect(ids.contains(TargetID(row.split(separator: ",")[0])!)) }
        // The CSV export carries DESIGN.md's columns for every scored spectrum.
        _ = try ok(["export", "--store", store, "--all", "--format", "csv", "--out", dir + "/all.csv"])
        // RFC 4180 lines end in CRLF, one Character in Swift.
        let exported = try String(contentsOfFile: dir + "/all.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        let header = exported[0].split(separator: ",").map(String.init)
        for column in ["TARGETID", "RA", "DEC", "Z", "SNR", "RECON_CHI2", "RECON_MSE", "KL", "IFOREST", "KNN", "SCORE",
                       "BAL_PROB", "FLAGS", "SCORE_PCT", "EXPLANATION", "ARM_JOIN_STEP", "SKY_LINES", "BAL_TROUGH", "LYA_FOREST",
                       "N_EPOCHS", "EPOCH_BASELINE"] {
            #expect(header.contains(column), "export lacks \(column)")
        }
        #expect(exported.count - 1 == scores.count)
        let exportedIDs = Set(exported.dropFirst().compactMap { TargetID($0.prefix { $0 != "," }) })
        #expect(exportedIDs == Set(scores.map(\.targetid)), "exported TARGETIDs differ from the scored ones")

        // The default export is the curated catalog: the reviewed candidates with their consensus.
        let reviews = project.store as any ReviewStore
        let alice = try reviews.upsertReviewer(name: "alice", tokenHash: "a", isLocal: true)
        let bob = try reviews.upsertReviewer(name: "bob", tokenHash: "b", isLocal: false)
        let reviewed = Array(scores.map(\.targetid).prefix(3))
        for id in reviewed {
            _ = try reviews.appendLabel(LabelEventRecord(reviewerId: alice.id!, targetid: id, labelClass: .genuineAnomaly))
        }
        _ = try reviews.appendLabel(LabelEventRecord(reviewerId: bob.id!, targetid: reviewed[0], labelClass: .artifact))
        _ = try ok(["export", "--store", store, "--format", "csv", "--out", dir + "/reviewed.csv"])
        let curated = try String(contentsOfFile: dir + "/reviewed.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        let columns = curated[0].split(separator: ",").map(String.init)
        #expect(curated.count == 4)
        let nReviewers = try #require(columns.firstIndex(of: "N_REVIEWERS"))
        let first = try #require(curated.dropFirst().first { $0.hasPrefix(String(reviewed[0])) })
        #expect(first.split(separator: ",", omittingEmptySubsequences: false)[nReviewers] == "2")

        // Upstream ARD columns: shown beside qad's, and the seed's query ranks on them.
        let upstreamStore = project.store as any UpstreamARDStore
        let upstreamIDs = Array(scores.map(\.targetid).suffix(4))
        try upstreamStore.saveUpstream(upstreamIDs.enumerated().map { i, id in
            UpstreamARDRecord(targetid: id, zHelio: 2, spectype: "QSO", balProb: i == 0 ? 0.9 : 0.1, latentVec: nil,
                              reconMse: 0.01 * Double(i + 1), anomalyScore: Double(i), source: "test")
        })
        let seed = try ok(["rank", "--store", store, "--format", "json", "--upstream-min-score", "0.5",
                           "--upstream-max-bal", "0.5"])
        let seedItems = try JSONSerialization.jsonObject(with: Data(seed.utf8)) as! [[String: Any]]
        #expect(seedItems.map { ($0["targetid"] as! NSNumber).int64Value } == [upstreamIDs[3], upstreamIDs[2], upstreamIDs[1]])
        #expect(seedItems.first?["upstream_anomaly_score"] as? Double == 3)
        #expect(seedItems.first?["score"] is Double)
        let beside = try ok(["rank", "--store", store, "--format", "csv", "--upstream", "--limit", "0"])
        #expect(beside.split(whereSeparator: \.isNewline).first?.contains("UPSTREAM_ANOMALY_SCORE") == true)

        // Bad filters are usage errors, not SQL.
        let bad = try run(qad, ["rank", "--store", store, "--min", "score; DROP TABLE score=1"])
        #expect(bad.status != 0 && bad.output.contains("--min"))
        #expect(try scoreStore.scores(model: "vae").count == scores.count)
    }
}
