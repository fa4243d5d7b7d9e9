import Foundation
import QADCore
import QADDetect
import QADLabels
import QADStore

/// One candidate of a relevance-ranked list, and why it is there.
public struct RelevanceCandidate: Sendable {
    public var candidate: Candidate
    public var explanation: RelevanceExplanation
    /// The labelled spectra behind the relevance: TARGETID, kernel weight, relevance.
    public var labelledNeighbours: [(targetid: TargetID, weight: Double, relevance: Double)]
}

/// A relevance-ranked candidate list.
public struct RelevanceList: Sendable {
    public var candidates: [RelevanceCandidate]
    /// Unlabelled candidates in the ranked pool (all pages).
    public var total: Int
    /// Labels the model learned from.
    public var labels: Int
    public var source: RelevanceSource
    public var map: RelevanceMap
}

/// `qad rank --relevance`: the anomaly ranking re-weighted by what a team or
/// one reviewer labelled (`RelevanceModel`). The selection is the query's
/// (filters apply as in `qad rank`); labels teach wherever they are, inside
/// the selection or not; candidates the source already labelled are left out.
public struct RelevanceRanking {
    public let project: ProjectStore
    public var settings = RelevanceSettings()

    public init(project: ProjectStore) {
        self.project = project
    }

    public func run(_ query: CandidateQuery, source: RelevanceSource, map: RelevanceMap,
                    sample: ScoredSample? = nil) throws -> RelevanceList {
        var all = query
        all.limit = nil
        all.offset = 0
        all.sortByVariability = false
        // The selection's ids only: the queue holds every score record already,
        // and only the rows shown need their catalog rows.
        let queue = try RelevanceQueue(project: project, model: query.model, selection: try project.store.candidateIDs(all),
                                       source: source, map: map, settings: settings, sample: sample)
        let candidates = try queue.rows(offset: query.offset, limit: query.limit).compactMap { row -> RelevanceCandidate? in
            guard let spectrum = try project.store.spectrum(row.score.targetid) else { return nil }
            return RelevanceCandidate(candidate: Candidate(spectrum: spectrum, score: row.score), explanation: row.explanation,
                                      labelledNeighbours: row.because)
        }
        return RelevanceList(candidates: candidates, total: queue.ranked.count, labels: queue.labelCount, source: source,
                             map: map)
    }
}

/// A relevance model over a selection, kept up to date with a source's
/// labels, and the queue it gives: what `qad rank --relevance` pages
/// through, `qad export --relevance` writes beside every spectrum, and the
/// review app keeps between requests (`LiveRelevanceQueues`).
public final class RelevanceQueue {
    /// One ranked candidate and why it is there.
    public struct Row: Sendable {
        public var score: ScoreRecord
        public var explanation: RelevanceExplanation
        /// The labelled spectra that weigh most in the relevance: TARGETID, kernel weight, relevance.
        public var because: [(targetid: TargetID, weight: Double, relevance: Double)]
    }

    public let sample: ScoredSample
    public let model: RelevanceModel
    public let map: RelevanceMap
    /// The labels the model holds, by TARGETID.
    public private(set) var labels: [TargetID: LabelClass] = [:]
    /// Feature indices of those labels.
    public private(set) var labelled = Set<Int>()
    /// Unlabelled pool members by descending queue key.
    public private(set) var ranked: [Int]
    public var labelCount: Int { labelled.count }

    /// A queue without labels (the anomaly ranking); `selection`: the
    /// TARGETIDs it may show (nil: every scored spectrum).
    public init(sample: ScoredSample, selection: [TargetID]?, map: RelevanceMap, settings: RelevanceSettings) {
        self.sample = sample
        self.map = map
        let eligible = selection.map { ids in ids.compactMap { sample.index(of: $0) }.sorted() }
        model = RelevanceModel(features: sample.features, anomalyPercentile: sample.anomalyPercentiles,
                               eligible: eligible, settings: settings)
        ranked = model.ranking()
    }

    /// The queue of `source`'s labels in the store, over `selection`.
    public convenience init(project: ProjectStore, model name: String, selection: [TargetID]?, source: RelevanceSource,
                            map: RelevanceMap, settings: RelevanceSettings, sample given: ScoredSample? = nil) throws {
        let sample = try given ?? ScoredSample(project: project, model: name, options: settings.features)
        self.init(sample: sample, selection: selection, map: map, settings: settings)
        update(labels: try source.labels(in: project.store))
    }

    /// Brings the model to `new`: only new, changed and withdrawn labels are
    /// applied (one refit), in TARGETID order.
    public func update(labels new: [TargetID: LabelClass]) {
        var changes: [(index: Int, relevance: Double?)] = []
        for (id, label) in new where labels[id] != label {
            if let i = sample.index(of: id) { changes.append((i, map.relevance(of: label))) }
        }
        for id in labels.keys where new[id] == nil {
            if let i = sample.index(of: id) { changes.append((i, nil)) }
        }
        labels = new
        guard !changes.isEmpty else { return }
        model.setRelevances(changes.sorted { $0.index < $1.index })
        labelled = Set(new.keys.compactMap { sample.index(of: $0) })
        ranked = model.ranking(excluding: labelled)
    }

    /// The ranked candidates `offset ..< offset + limit` (all from `offset` when nil), explained.
    public func rows(offset: Int, limit: Int?) -> [Row] {
        ranked.dropFirst(offset).prefix(limit ?? ranked.count).compactMap { i -> Row? in
            guard let e = model.explain(i) else { return nil }
            return Row(score: sample.scores[i], explanation: e,
                       because: e.neighbours.map { (sample.scores[$0.index].targetid, $0.weight, $0.relevance) })
        }
    }
}

/// Relevance-ranked lists as a table, CSV or JSON (TARGETIDs from their Int64 digits).
public enum RelevanceListFormat {
    public static let columns = ["RANK", "TARGETID", "Z", "SNR", "SCORE", "SCORE_PCT", "ANOMALY_G", "RELEVANCE",
                                 "PRIOR", "NOVELTY", "QUEUE_KEY", "LABELLED_NEIGHBOURS"]

    static func row(_ c: RelevanceCandidate, rank: Int) -> [String] {
        let s = c.candidate.spectrum, e = c.explanation
        let neighbours = c.labelledNeighbours.map { "\($0.targetid):\(signed($0.relevance))@\(String(format: "%.2f", $0.weight))" }
        return [String(rank), String(s.targetid), String(format: "%.4f", s.z), String(format: "%.2f", s.snr),
                String(format: "%.3f", c.candidate.score.score), String(format: "%.2f", c.candidate.score.scorePct),
                String(format: "%.3f", e.anomaly), String(format: "%+.3f", e.relevance), String(format: "%+.3f", e.prior),
                String(format: "%.3f", e.novelty), String(format: "%.3f", e.key), neighbours.joined(separator: ";")]
    }

    static func signed(_ x: Double) -> String { x == x.rounded() ? String(format: "%+d", Int(x)) : String(format: "%+.2f", x) }

    public static func table(_ list: RelevanceList, offset: Int = 0) -> String {
        let rows = list.candidates.enumerated().map { row($1, rank: offset + $0 + 1) }
        var widths = columns.map(\.count)
        for r in rows { for (i, f) in r.enumerated() { widths[i] = max(widths[i], f.count) } }
        func line(_ fields: [String]) -> String {
            fields.enumerated().map { i, f in
                i == fields.count - 1 ? f : f.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var text = "relevance from \(list.labels) \(list.source) labels; map \(list.map)\n"
        text += line(columns) + "\n"
        for r in rows { text += line(r) + "\n" }
        return text
    }

    public static func csv(_ list: RelevanceList, offset: Int = 0) -> String {
        var text = columns.joined(separator: ",") + "\n"
        for (i, c) in list.candidates.enumerated() { text += row(c, rank: offset + i + 1).joined(separator: ",") + "\n" }
        return text
    }

    public static func json(_ list: RelevanceList, offset: Int = 0) -> String {
        let items = list.candidates.enumerated().map { i, c -> String in
            let r = row(c, rank: offset + i + 1)
            let neighbours = c.labelledNeighbours.map {
                "{\"targetid\":\($0.targetid),\"relevance\":\($0.relevance),\"weight\":\(String(format: "%.6g", $0.weight))}"
            }
            return "{\"rank\":\(r[0]),\"targetid\":\(r[1]),\"z\":\(r[2]),\"snr\":\(r[3]),\"score\":\(r[4]),\"score_pct\":\(r[5]),"
                + "\"anomaly_g\":\(r[6]),\"relevance\":\(r[7].replacingOccurrences(of: "+", with: "")),"
                + "\"prior\":\(r[8].replacingOccurrences(of: "+", with: "")),\"novelty\":\(r[9]),\"queue_key\":\(r[10]),"
                + "\"labelled_neighbours\":[\(neighbours.joined(separator: ","))]}"
        }
        return "{\"source\":\(jsonStringLiteral(list.source.description)),\"labels\":\(list.labels),\"total\":\(list.total),"
            + "\"map\":\"\(list.map)\",\"candidates\":[\n" + items.joined(separator: ",\n") + "\n]}\n"
    }
}
