import Foundation
import QADCore
import QADDetect
import QADLabels
import QADReview
import QADStore
import QADTestSupport
import Testing

/// `qad plot` and `qad review add-reviewer` through the built executable.
@Suite struct CommandTests {
    @Test func plotWritesSVGAndPNGForTopCandidatesAndTheLatentMap() throws {
        let f = try ReviewFixture(spectra: 30, reviewers: [])
        let out = temporaryDirectory() + "/figs"
        let r = try run(qadExecutable(), ["plot", "--store", f.directory, "--top", "2", "--latent-map", "--frame", "rest",
                                          "--out", out])
        #expect(r.status == 0, "\(r.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files.count == 6, "\(files)")
        #expect(files.contains("latent_map.png") && files.contains("latent_map.svg"))
        for png in files where png.hasSuffix(".png") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/" + png))
            #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        }
        let list = temporaryPath("ids.csv")
        try "TARGETID\n\(f.summary.firstTargetID + 3)\n".write(toFile: list, atomically: true, encoding: .utf8)
        let one = try run(qadExecutable(), ["plot", "--store", f.directory, "--list", list, "--format", "svg", "--out", out + "2"])
        #expect(one.status == 0, "\(one.output)")
        let svg = try String(contentsOfFile: "\(out)2/\(f.summary.firstTargetID + 3).svg", encoding: .utf8)
        #expect(svg.contains("TARGETID \(f.summary.firstTargetID + 3)"))
        let bad = try run(qadExecutable(), ["plot", "--store", f.directory, "--frame", "sideways", "--top", "1"])
        #expect(bad.status != 0 && bad.output.contains("--frame"))
    }

    /// `qad suppress` hides a family from `qad rank --hide-suppressed`, lists
    /// it, and undoes it; bad requests are refused with the reason.
    @Test func suppressHidesAFamilyFromRankUntilUndone() throws {
        let f = try ReviewFixture(spectra: 60, reviewers: ["ann", "bob"])
        let seed = try #require(f.summary.anomalies.first)
        func qad(_ args: [String]) throws -> (status: Int32, output: String) {
            try run(qadExecutable(), args + ["--store", f.directory])
        }
        func ranked(_ extra: [String] = []) throws -> [String] {
            let r = try qad(["rank", "--limit", "0", "--format", "csv"] + extra)
            #expect(r.status == 0, "\(r.output)")
            return r.output.split(whereSeparator: \.isNewline).dropFirst().map { String($0.split(separator: ",")[0]) }
        }
        let all = try ranked()
        #expect(all.count == 60)
        let made = try qad(["suppress", "--reviewer", "ann", "--like", String(seed), "--frame", "rest"])
        #expect(made.status == 0 && made.output.contains("suppression 1 by ann: rest-frame residuals at"), "\(made.output)")
        let members = try #require(made.output.firstMatch(of: /, (\d+) candidates/).flatMap { Int($0.1) })
        #expect(members >= 1)
        let annSees = try ranked(["--hide-suppressed", "ann"])
        #expect(annSees.count == 60 - members && !annSees.contains(String(seed)))
        #expect(try ranked(["--hide-suppressed", "team"]) == annSees)
        #expect(try ranked(["--hide-suppressed", "bob"]).count == 60)
        let similar = try qad(["similar", String(f.summary.firstTargetID + 1), "--limit", "0", "--hide-suppressed", "ann",
                               "--format", "csv"])
        #expect(similar.status == 0 && !similar.output.contains(String(seed)), "\(similar.output)")

        let list = try qad(["suppress", "--list"])
        #expect(list.output.contains("suppression 1 by ann") && list.output.contains("active"), "\(list.output)")
        let notBobs = try qad(["suppress", "--reviewer", "bob", "--undo", "1"])
        #expect(notBobs.status != 0 && notBobs.output.contains("bob has no active suppression 1"), "\(notBobs.output)")
        let undone = try qad(["suppress", "--reviewer", "ann", "--undo", "1"])
        #expect(undone.status == 0 && undone.output.contains("undone"), "\(undone.output)")
        #expect(try ranked(["--hide-suppressed", "ann"]).count == 60)
        #expect(try qad(["suppress", "--list", "--reviewer", "ann"]).output.contains("undone"))

        for (args, says) in [(["suppress", "--reviewer", "nobody", "--like", String(seed)], "no reviewer named 'nobody'"),
                             (["suppress", "--reviewer", "ann", "--like", "42"], "TARGETID 42 has no scores"),
                             (["suppress", "--like", String(seed)], "need --reviewer"),
                             (["suppress", "--reviewer", "ann", "--like", String(seed), "--frame", "sideways"], "--frame"),
                             (["rank", "--hide-suppressed", "nobody"], "no reviewer named 'nobody'")] {
            let r = try qad(args)
            #expect(r.status != 0 && r.output.contains(says), "\(args): \(r.output)")
        }
    }

    /// `qad rank` sorted or filtered on what `qad epochs` stored shows the
    /// variability and changing look beside the scores; other queries do not.
    @Test func rankShowsTheVariabilityItSortsBy() throws {
        let f = try ReviewFixture(spectra: 30, reviewers: [])
        let first = f.summary.firstTargetID
        func found(_ i: Int64, _ v: Double, look: String? = nil) -> EpochVariabilityRecord {
            EpochVariabilityRecord(object: first + i, epochs: 2, restFrameDays: 400, variability: v, changingLook: look,
                                   classChange: nil, redshiftConflict: false, localSignificance: 3, localRestLambda: 4861,
                                   continuumRatio: 1.1)
        }
        try f.project.store.replaceEpochVariability([found(4, 2.5), found(9, 7.25, look: "Hβ broad vanished"), found(2, -0.5)])
        func rows(_ args: [String]) throws -> [[String]] {
            let r = try run(qadExecutable(), ["rank", "--store", f.directory, "--format", "csv"] + args)
            #expect(r.status == 0, "\(r.output)")
            return r.output.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        let sorted = try rows(["--sort", "variability", "--limit", "4"])
        let column = try #require(sorted[0].firstIndex(of: "VARIABILITY"))
        #expect(sorted[0][column + 1] == "CHANGING_LOOK" && sorted[0].last == "EXPLANATION")
        #expect(sorted.dropFirst().map { $0[column] } == ["7.25", "2.50", "-0.50", ""])  // objects with one epoch last
        #expect(sorted[1][0] == String(first + 9) && sorted[1][column + 1] == "Hβ broad vanished")
        let looks = try rows(["--changing-look"])
        #expect(looks.count == 2 && looks[1][0] == String(first + 9))
        #expect(try !rows(["--limit", "3"])[0].contains("VARIABILITY"))
        let json = try run(qadExecutable(), ["rank", "--store", f.directory, "--format", "json", "--min-variability", "1"])
        #expect(json.output.contains("\"variability\": 7.25") && json.output.contains("\"changing_look\": \"Hβ broad vanished\""),
                "\(json.output)")
    }

    @Test func addReviewerPrintsATokenWhoseHashIsStored() throws {
        let f = try ReviewFixture(spectra: 5, reviewers: [])
        let r = try run(qadExecutable(), ["review", "add-reviewer", "carol", "--store", f.directory])
        #expect(r.status == 0, "\(r.output)")
        let token = try #require(r.output.split(whereSeparator: \.isWhitespace).first { $0.count == 64 }.map(String.init))
        let store = try f.store()
        #expect(try store.reviewer(tokenHash: ReviewerTokens.hash(token))?.name == "carol")
        #expect(try store.reviewer(tokenHash: token) == nil)  // never stored in clear
    }

    @Test func removeReviewerAndTheReviewerListThroughTheExecutable() throws {
        let f = try ReviewFixture(spectra: 5, reviewers: ["ann", "bob"])
        let removed = try run(qadExecutable(), ["review", "remove-reviewer", "bob", "--store", f.directory])
        #expect(removed.status == 0 && removed.output.contains("bob removed"), "\(removed.output)")
        let list = try run(qadExecutable(), ["review", "reviewers", "--store", f.directory])
        #expect(list.output.contains("ann\tlocal") && list.output.contains("bob\tremoved"), "\(list.output)")
        let unknown = try run(qadExecutable(), ["review", "remove-reviewer", "nobody", "--store", f.directory])
        #expect(unknown.status != 0 && unknown.output.contains("no reviewer named nobody"), "\(unknown.output)")
        // add-reviewer with the local reviewer's name is refused, naming why.
        let clash = try run(qadExecutable(), ["review", "add-reviewer", "ann", "--store", f.directory])
        #expect(clash.status != 0 && clash.output.contains("--as ann"), "\(clash.output)")
        // --workers only where it means something.
        let workers = try run(qadExecutable(), ["rank", "--store", f.directory, "--workers", "2"])
        #expect(workers.status != 0 && workers.output.contains("--workers"), "\(workers.output)")
        let help = try run(qadExecutable(), ["score", "--help"])
        #expect(help.output.contains("--workers"))
    }

    /// A shared store: the catalog, scores and reviewers in PostgreSQL, the
    /// cache and models in the --cache folder.
    @Test(.needs(.postgres)) func plotAndAddReviewerWorkOnAPostgreSQLStore() throws {
        let cluster = try PostgresCluster.required()
        let url = try cluster.makeDatabase()
        let f = try ReviewFixture(spectra: 30, reviewers: [], store: url)
        let out = temporaryDirectory() + "/figs"
        let r = try run(qadExecutable(), ["plot", "--store", url, "--cache", f.directory, "--top", "2", "--latent-map",
                                          "--out", out])
        #expect(r.status == 0, "\(r.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files.count == 6, "\(files)")
        var best = CandidateQuery()
        best.limit = 2
        for c in try f.project.store.candidates(best) {
            #expect(files.contains("\(c.spectrum.targetid).svg") && files.contains("\(c.spectrum.targetid).png"), "\(files)")
        }
        #expect(files.contains("latent_map.svg") && files.contains("latent_map.png"), "\(files)")

        let add = try run(qadExecutable(), ["review", "add-reviewer", "carol", "--store", url, "--cache", f.directory])
        #expect(add.status == 0, "\(add.output)")
        let token = try #require(add.output.split(whereSeparator: \.isWhitespace).first { $0.count == 64 }.map(String.init))
        #expect(try f.store().reviewer(tokenHash: ReviewerTokens.hash(token))?.name == "carol")

        // A PostgreSQL store without a cache folder is a usage error, before anything connects.
        let bad = try run(qadExecutable(), ["plot", "--store", url, "--top", "1"])
        #expect(bad.status != 0 && bad.output.contains("--cache"), "\(bad.output)")
    }

    /// `qad review --store postgres://… --cache DIR` serves, and its printed address signs in.
    @Test(.needs(.postgres)) func reviewServesAPostgreSQLStore() throws {
        let cluster = try PostgresCluster.required()
        let url = try cluster.makeDatabase()
        let f = try ReviewFixture(spectra: 10, reviewers: [], store: url)
        let log = temporaryPath("review.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: qadExecutable())
        p.arguments = ["review", "--store", url, "--cache", f.directory, "--port", "0"]
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardError = p.standardOutput
        try p.run()
        defer {
            if p.isRunning { p.terminate() }
            p.waitUntilExit()
        }
        // The announcement ends with "Stop with Ctrl-C." once the server listens.
        let deadline = Date().addingTimeInterval(60)
        var text = ""
        while Date() < deadline, p.isRunning, !text.contains("Stop with Ctrl-C.") {
            usleep(50_000)
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        let address = try #require(text.split(whereSeparator: \.isWhitespace).first { $0.contains("/login?token=") }, "\(text)")
        #expect(!text.contains("qad.sqlite") && text.contains("--cache \(f.directory)"), "\(text)")
        let hostPort = address.split(separator: "/")[1]  // "http:", "127.0.0.1:PORT", "login?token=…"
        let port = try #require(Int(hostPort.split(separator: ":").last ?? ""))
        let path = "/" + address.split(separator: "/", maxSplits: 3)[2]
        let login = try LoopbackHTTP.request(port: port, method: "GET", path: path, body: nil)
        #expect(login.status == 303, "\(path)")
        let me = ProcessInfo.processInfo.environment["USER"] ?? "local"
        #expect(try f.store().reviewers().map(\.name) == [me])
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 || p.terminationReason == .uncaughtSignal)
    }

    /// The curated catalog (reviewed candidates only) reads its labels from
    /// whichever store holds them: the same labels give the same file.
    @Test(.needs(.postgres)) func exportOfReviewedCandidatesIsTheSameFromPostgreSQL() throws {
        let cluster = try PostgresCluster.required()
        var csvs: [String] = []
        for location in [nil, try cluster.makeDatabase()] {
            let f = try ReviewFixture(spectra: 12, store: location)
            let store = try f.store()
            let ids = Dictionary(uniqueKeysWithValues: try store.reviewers().map { ($0.name, $0.id!) })
            let first = f.summary.firstTargetID
            for (who, target, cls) in [("ann", first, LabelClass.artifact), ("bob", first, .artifact),
                                       ("ann", first + 5, .genuineAnomaly), ("bob", first + 5, .unsure)] {
                _ = try store.appendLabel(LabelEventRecord(reviewerId: ids[who]!, targetid: target, labelClass: cls))
            }
            var arguments = ["export", "--store", location ?? f.directory, "--format", "csv", "--out", f.directory + "/cat.csv"]
            if location != nil { arguments += ["--cache", f.directory] }
            let r = try run(qadExecutable(), arguments)
            #expect(r.status == 0, "\(r.output)")
            let csv = try String(contentsOfFile: f.directory + "/cat.csv", encoding: .utf8)
            let rows = csv.split(separator: "\r\n")
            #expect(rows.count == 3, "\(csv)")
            #expect(rows.dropFirst().first?.hasPrefix("\(first),") == true && rows.last?.hasPrefix("\(first + 5),") == true)
            #expect(rows.dropFirst().first?.contains(",artifact,2,1") == true, "\(csv)")
            #expect(rows.last?.contains(",unsure,2,0.5") == true, "\(csv)")
            csvs.append(csv)
        }
        #expect(csvs[0] == csvs[1])
    }
}
