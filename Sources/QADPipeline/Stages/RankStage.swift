import Foundation
import QADCore
import QADDetect
import QADFormats
import QADStore

/// A candidate list and what is shown beside it.
public struct CandidateList: Sendable {
    public var candidates: [Candidate]
    /// How many spectra the selection holds (all pages).
    public var total: Int
    /// Upstream ARD columns by TARGETID, when they are to be shown.
    public var upstream: [TargetID: UpstreamARDRecord]?
    /// What `qad epochs` stored, by object, when the query selects or sorts
    /// on it: shown as VARIABILITY and CHANGING_LOOK beside the scores.
    public var variability: [TargetID: EpochVariabilityRecord]?
    public var balThreshold: Double

    public init(candidates: [Candidate], total: Int, upstream: [TargetID: UpstreamARDRecord]? = nil,
                balThreshold: Double = 0.5) {
        self.candidates = candidates
        self.total = total
        self.upstream = upstream
        self.balThreshold = balThreshold
    }
}

/// `qad rank`: the candidates a typed query selects, or (`upstream`) the
/// upstream ARD table's own selection with qad's scores beside it.
public struct RankStage {
    public let project: ProjectStore

    public init(project: ProjectStore) {
        self.project = project
    }

    /// How the upstream ARD columns take part.
    public enum Upstream: Sendable {
        case none
        /// Shown beside qad's scores.
        case shown
        /// The upstream table selects and orders (its ANOMALY_SCORE query); qad's scores are shown beside.
        case ranked(UpstreamCandidateQuery)
    }

    public func run(_ query: CandidateQuery, upstream: Upstream = .none) throws -> CandidateList {
        let store = project.store
        guard try store.scoreRun(model: query.model) != nil else {
            throw LocatedError("model \(query.model) has no scores in \(project.location): run qad score first")
        }
        switch upstream {
        case .ranked(let upstreamQuery):
            let rows = try store.upstreamCandidates(upstreamQuery)
            let candidates = try rows.compactMap { r -> Candidate? in
                guard let spectrum = try store.spectrum(r.targetid),
                      let score = try store.score(model: query.model, targetid: r.targetid) else { return nil }
                return Candidate(spectrum: spectrum, score: score)
            }
            return CandidateList(candidates: candidates, total: rows.count,
                                 upstream: Dictionary(rows.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a }),
                                 balThreshold: query.balProbThreshold)
        case .shown, .none:
            let candidates = try store.candidates(query)
            var list = CandidateList(candidates: candidates, total: try store.candidateCount(query),
                                     balThreshold: query.balProbThreshold)
            if case .shown = upstream {
                list.upstream = try store.upstreamScores(for: candidates.map(\.spectrum.targetid))
            }
            if query.sortByVariability || query.minVariability != nil || query.changingLookOnly {
                list.variability = Dictionary(try store.epochVariability().map { ($0.object, $0) }, uniquingKeysWith: { a, _ in a })
            }
            return list
        }
    }
}

/// Candidate lists as a terminal table, CSV or JSON. TARGETIDs are written
/// from their Int64 digits everywhere, never through a Double. The score
/// columns are every score with `rankDigits` (`ScoreDefinition`), after the
/// combined score and its percentile.
public enum CandidateListFormat {
    static var scoreColumns: [ScoreName] {
        ScoreName.components.filter { $0.definition.rankDigits != nil }
    }

    public static var columns: [String] {
        ["TARGETID", "RA", "DEC", "Z", "SNR", "SCORE", "SCORE_PCT"] + scoreColumns.map { $0.rawValue.uppercased() }
            + ["BAL", "BAL_PROB", "FLAGS", "EXPLANATION"]
    }
    static let upstreamColumns = ["UPSTREAM_ANOMALY_SCORE", "UPSTREAM_RECON_MSE"]

    static func explanation(_ c: Candidate) -> String {
        c.score.explanation.map { String(format: "%@ %.2f", $0.window, $0.share) }.joined(separator: "; ")
    }

    static func f(_ x: Double?, _ d: Int) -> String { x.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "" } ?? "" }

    static let variabilityColumns = ["VARIABILITY", "CHANGING_LOOK"]

    static func header(_ list: CandidateList) -> [String] {
        Array(columns.dropLast()) + (list.upstream == nil ? [] : upstreamColumns)
            + (list.variability == nil ? [] : variabilityColumns) + ["EXPLANATION"]
    }

    static func fields(_ c: Candidate, _ list: CandidateList) -> [String] {
        let s = c.spectrum, r = c.score
        var out = [String(s.targetid), f(s.ra, 6), f(s.dec, 6), f(s.z, 4), f(s.snr, 2),
                   f(r.score, ScoreName.score.definition.rankDigits!), f(r.scorePct, 3)]
        out += scoreColumns.map { f(r.value($0), $0.definition.rankDigits!) }
        out += [c.isBAL(threshold: list.balThreshold) ? "Y" : "N", f(s.balProb, 3),
                QualityFlags(rawValue: s.flags).labels.joined(separator: "|")]
        if let upstream = list.upstream {
            let u = upstream[s.targetid]
            out += [f(u?.anomalyScore, 4), f(u?.reconMse, 4)]
        }
        if let variability = list.variability {
            let v = variability[s.targetid]
            out += [f(v?.variability, 2), v?.changingLook ?? ""]
        }
        return out + [explanation(c)]
    }

    public static func table(_ list: CandidateList) -> String {
        let head = header(list)
        let rows = [head] + list.candidates.map { fields($0, list) }
        let widths = head.indices.map { i in rows.map { $0[i].count }.max()! }
        return rows.map { row in
            row.indices.map { i in
                i == row.count - 1 ? row[i] : row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    public static func csv(_ list: CandidateList) -> String {
        var out = header(list).joined(separator: ",") + "\n"
        for c in list.candidates { out += fields(c, list).map { CSVField.quoted($0) }.joined(separator: ",") + "\n" }
        return out
    }

    public static func json(_ list: CandidateList) -> String {
        func num(_ x: Double?) -> String { x.map { $0.isFinite ? String($0) : "null" } ?? "null" }
        let items = list.candidates.map { c -> String in
            let s = c.spectrum, r = c.score
            var parts = ["\"targetid\": \(s.targetid)", "\"ra\": \(num(s.ra))", "\"dec\": \(num(s.dec))", "\"z\": \(num(s.z))",
                         "\"snr\": \(num(s.snr))"]
            for name in ScoreName.allCases {
                parts.append("\"\(name.rawValue)\": \(num(r.value(name)))")
                parts.append("\"\(name.percentileColumn)\": \(num(r.percentile(name)))")
            }
            parts += ["\"bal\": \(c.isBAL(threshold: list.balThreshold))", "\"bal_prob\": \(num(s.balProb))",
                      "\"flags\": [\(QualityFlags(rawValue: s.flags).labels.map(jsonText).joined(separator: ", "))]",
                      "\"explanation\": \(ExplanationWindow.storedText(r.explanation))",
                      "\"neighbors\": \(TargetIDList.storedText(r.neighbors))"]
            if let upstream = list.upstream {
                let u = upstream[s.targetid]
                parts += ["\"upstream_anomaly_score\": \(num(u?.anomalyScore))", "\"upstream_recon_mse\": \(num(u?.reconMse))"]
            }
            if let variability = list.variability {
                let v = variability[s.targetid]
                parts += ["\"variability\": \(num(v?.variability))",
                          "\"changing_look\": \(v?.changingLook.map(jsonText) ?? "null")"]
            }
            return "  {" + parts.joined(separator: ", ") + "}"
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    /// A JSON string as JSONEncoder writes it.
    static func jsonText(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
