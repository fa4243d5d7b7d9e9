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

    func validate() throws {
        if !["table", "csv", "json"].contains(format) { throw ValidationError("--format must be table, csv or json") }
    }

    func run() async throws {
        let project = try common.openProject()
        guard let store = project.store as? any ScoreStore else { throw ValidationError("this store holds no scores") }
        let query = try filters.query()
        guard try store.scoreRun(model: query.model) != nil else {
            throw ValidationError("model \(query.model) has no scores in \(common.store): run qad score first")
        }
        let candidates = try store.candidates(query)
        let total = try store.candidateCount(query)
        let text: String
        switch format {
        case "csv": text = CandidateListFormat.csv(candidates, balThreshold: query.balProbThreshold)
        case "json": text = CandidateListFormat.json(candidates, balThreshold: query.balProbThreshold)
        default: text = CandidateListFormat.table(candidates, balThreshold: query.balProbThreshold)
            + "\(candidates.count) of \(total) selected spectra shown\n"
        }
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(candidates.count) candidates to \(out)")
        } else {
            print(text, terminator: "")
        }
    }
}

/// Candidate lists as a terminal table, CSV or JSON. TARGETIDs are written
/// from their Int64 digits everywhere, never through a Double.
enum CandidateListFormat {
    static let columns = ["TARGETID", "RA", "DEC", "Z", "SNR", "SCORE", "SCORE_PCT", "RECON_CHI2", "KL", "IFOREST", "KNN",
                          "LOCAL_REST", "LOCAL_OBS", "BAL", "BAL_PROB", "FLAGS", "EXPLANATION"]

    static func explanation(_ c: Candidate) -> String {
        c.score.explanationWindows.map { String(format: "%@ %.2f", $0.window, $0.share) }.joined(separator: "; ")
    }

    static func fields(_ c: Candidate, balThreshold: Double) -> [String] {
        let s = c.spectrum, r = c.score
        func f(_ x: Double?, _ d: Int) -> String { x.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "" } ?? "" }
        return [String(s.targetid), f(s.ra, 6), f(s.dec, 6), f(s.z, 4), f(s.snr, 2), f(r.score, 3), f(r.scorePct, 3),
                f(r.reconChi2, 3), f(r.kl, 2), f(r.iforest, 4), f(r.knn, 3), f(r.localRest, 2), f(r.localObs, 2),
                c.isBAL(threshold: balThreshold) ? "Y" : "N", f(s.balProb, 3),
                QualityFlags(rawValue: s.flags).labels.joined(separator: "|"), explanation(c)]
    }

    static func csv(_ list: [Candidate], balThreshold: Double) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for c in list {
            out += fields(c, balThreshold: balThreshold).map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func table(_ list: [Candidate], balThreshold: Double) -> String {
        let rows = [columns] + list.map { fields($0, balThreshold: balThreshold) }
        let widths = columns.indices.map { i in rows.map { $0[i].count }.max()! }
        return rows.map { row in
            row.indices.map { i in
                i == row.count - 1 ? row[i] : row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func json(_ list: [Candidate], balThreshold: Double) -> String {
        func num(_ x: Double?) -> String { x.map { $0.isFinite ? String($0) : "null" } ?? "null" }
        func str(_ s: String) -> String {
            let data = try! JSONEncoder().encode(s)
            return String(decoding: data, as: UTF8.self)
        }
        let items = list.map { c -> String in
            let s = c.spectrum, r = c.score
            var parts = ["\"targetid\": \(s.targetid)", "\"ra\": \(num(s.ra))", "\"dec\": \(num(s.dec))", "\"z\": \(num(s.z))",
                         "\"snr\": \(num(s.snr))"]
            for name in ScoreName.allCases {
                parts.append("\"\(name.rawValue)\": \(num(r.value(name)))")
                parts.append("\"\(name.percentileColumn)\": \(num(r.percentile(name)))")
            }
            parts += ["\"bal\": \(c.isBAL(threshold: balThreshold))", "\"bal_prob\": \(num(s.balProb))",
                      "\"flags\": [\(QualityFlags(rawValue: s.flags).labels.map(str).joined(separator: ", "))]",
                      "\"explanation\": \(r.explanation)", "\"neighbors\": \(r.neighbors)"]
            return "  {" + parts.joined(separator: ", ") + "}"
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }
}
