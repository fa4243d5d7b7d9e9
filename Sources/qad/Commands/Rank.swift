import ArgumentParser
import Foundation
import QADCore
import QADStore

struct Rank: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Select and rank anomaly candidates.",
        discussion: """
            Filters are typed options (scores, percentiles, z and S/N ranges, BAL handling, quality \
            flags), never SQL. Prints a table, or CSV/JSON (TARGETID exact) to stdout or --out.
            """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var filters: CandidateFilterOptions

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format = "table"

    @Option(name: .long, help: "Write the candidate list here instead of stdout.")
    var out: String?

    @Flag(name: .long, help: "Show the upstream ARD table's ANOMALY_SCORE and RECON_MSE (qad ingest --ard-table) beside qad's scores.")
    var upstream = false

    @Option(name: .customLong("upstream-min-score"),
            help: "Rank on the upstream columns instead (the seed's query): ANOMALY_SCORE above this, highest first; qad's scores shown beside.")
    var upstreamMinScore: Double?

    @Option(name: .customLong("upstream-min-mse"), help: "With --upstream-min-score: RECON_MSE at least this.")
    var upstreamMinMSE: Double?

    @Option(name: .customLong("upstream-max-mse"), help: "With --upstream-min-score: RECON_MSE at most this.")
    var upstreamMaxMSE: Double?

    @Option(name: .customLong("upstream-max-bal"), help: "With --upstream-min-score: keep BAL_PROB below this (or unknown).")
    var upstreamMaxBAL: Double?

    func validate() throws {
        if !["table", "csv", "json"].contains(format) { throw ValidationError("--format must be table, csv or json") }
    }

    func run() async throws {
        let project = try common.openProject()
        guard let store = project.store as? any ScoreStore else { throw ValidationError("this store holds no scores") }
        let query = try filters.query()
        guard try store.scoreRun(model: query.model) != nil else {
            throw ValidationError("model \(query.model) has no scores in \(project.location): run qad score first")
        }
        var candidates: [Candidate]
        var total: Int
        var upstreamRows: [TargetID: UpstreamARDRecord]?
        if let minScore = upstreamMinScore {
            guard let up = project.store as? any UpstreamARDStore else { throw ValidationError("this store has no upstream table") }
            // The seed's query on the upstream columns, with qad's scores beside.
            let rows = try up.upstreamCandidates(UpstreamCandidateQuery(
                minAnomalyScore: minScore, minReconMSE: upstreamMinMSE, maxReconMSE: upstreamMaxMSE,
                maxBALProb: upstreamMaxBAL, limit: query.limit))
            upstreamRows = Dictionary(rows.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a })
            candidates = try rows.compactMap { r in
                guard let spectrum = try project.store.spectrum(r.targetid),
                      let score = try store.score(model: query.model, targetid: r.targetid) else { return nil }
                return Candidate(spectrum: spectrum, score: score)
            }
            total = rows.count
        } else {
            candidates = try store.candidates(query)
            total = try store.candidateCount(query)
            if upstream, let up = project.store as? any UpstreamARDStore {
                upstreamRows = try up.upstreamScores(for: candidates.map(\.spectrum.targetid))
            }
        }
        let list = CandidateList(candidates: candidates, upstream: upstreamRows, balThreshold: query.balProbThreshold)
        let text: String
        switch format {
        case "csv": text = CandidateListFormat.csv(list)
        case "json": text = CandidateListFormat.json(list)
        default: text = CandidateListFormat.table(list) + "\(candidates.count) of \(total) selected spectra shown\n"
        }
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(candidates.count) candidates to \(out)")
        } else {
            print(text, terminator: "")
        }
    }
}

/// A candidate list and what is shown beside it.
struct CandidateList {
    var candidates: [Candidate]
    /// Upstream ARD columns by TARGETID, when they are to be shown.
    var upstream: [TargetID: UpstreamARDRecord]?
    var balThreshold: Double
}

/// Candidate lists as a terminal table, CSV or JSON. TARGETIDs are written
/// from their Int64 digits everywhere, never through a Double.
enum CandidateListFormat {
    static let columns = ["TARGETID", "RA", "DEC", "Z", "SNR", "SCORE", "SCORE_PCT", "RECON_CHI2", "KL", "IFOREST", "KNN",
                          "LOCAL_REST", "LOCAL_OBS", "COLOUR", "LINES", "ARM_JOIN_STEP", "SKY_LINES", "BAL_TROUGH", "BAL",
                          "BAL_PROB", "FLAGS", "EXPLANATION"]
    static let upstreamColumns = ["UPSTREAM_ANOMALY_SCORE", "UPSTREAM_RECON_MSE"]

    static func explanation(_ c: Candidate) -> String {
        c.score.explanationWindows.map { String(format: "%@ %.2f", $0.window, $0.share) }.joined(separator: "; ")
    }

    static func f(_ x: Double?, _ d: Int) -> String { x.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "" } ?? "" }

    static func header(_ list: CandidateList) -> [String] {
        list.upstream == nil ? columns : columns.dropLast() + upstreamColumns + ["EXPLANATION"]
    }

    static func fields(_ c: Candidate, _ list: CandidateList) -> [String] {
        let s = c.spectrum, r = c.score
        var out = [String(s.targetid), f(s.ra, 6), f(s.dec, 6), f(s.z, 4), f(s.snr, 2), f(r.score, 3), f(r.scorePct, 3),
                   f(r.reconChi2, 3), f(r.kl, 2), f(r.iforest, 4), f(r.knn, 3), f(r.localRest, 2), f(r.localObs, 2),
                   f(r.colour, 2), f(r.lines, 2), f(r.armJoinStep, 2), f(r.skyLines, 2), f(r.balTrough, 2),
                   c.isBAL(threshold: list.balThreshold) ? "Y" : "N", f(s.balProb, 3),
                   QualityFlags(rawValue: s.flags).labels.joined(separator: "|")]
        if let upstream = list.upstream {
            let u = upstream[s.targetid]
            out += [f(u?.anomalyScore, 4), f(u?.reconMse, 4)]
        }
        return out + [explanation(c)]
    }

    static func table(_ list: CandidateList) -> String {
        let head = header(list)
        let rows = [head] + list.candidates.map { fields($0, list) }
        let widths = head.indices.map { i in rows.map { $0[i].count }.max()! }
        return rows.map { row in
            row.indices.map { i in
                i == row.count - 1 ? row[i] : row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func csv(_ list: CandidateList) -> String {
        var out = header(list).joined(separator: ",") + "\n"
        for c in list.candidates { out += fields(c, list).map(csvField).joined(separator: ",") + "\n" }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func json(_ list: CandidateList) -> String {
        func num(_ x: Double?) -> String { x.map { $0.isFinite ? String($0) : "null" } ?? "null" }
        func str(_ s: String) -> String { String(decoding: try! JSONEncoder().encode(s), as: UTF8.self) }
        let items = list.candidates.map { c -> String in
            let s = c.spectrum, r = c.score
            var parts = ["\"targetid\": \(s.targetid)", "\"ra\": \(num(s.ra))", "\"dec\": \(num(s.dec))", "\"z\": \(num(s.z))",
                         "\"snr\": \(num(s.snr))"]
            for name in ScoreName.allCases {
                parts.append("\"\(name.rawValue)\": \(num(r.value(name)))")
                parts.append("\"\(name.percentileColumn)\": \(num(r.percentile(name)))")
            }
            parts += ["\"bal\": \(c.isBAL(threshold: list.balThreshold))", "\"bal_prob\": \(num(s.balProb))",
                      "\"flags\": [\(QualityFlags(rawValue: s.flags).labels.map(str).joined(separator: ", "))]",
                      "\"explanation\": \(r.explanation)", "\"neighbors\": \(r.neighbors)"]
            if let upstream = list.upstream {
                let u = upstream[s.targetid]
                parts += ["\"upstream_anomaly_score\": \(num(u?.anomalyScore))", "\"upstream_recon_mse\": \(num(u?.reconMse))"]
            }
            return "  {" + parts.joined(separator: ", ") + "}"
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }
}
