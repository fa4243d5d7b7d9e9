import Foundation
import QADCore
import QADDetect
import QADLabels
import QADStore

/// One spectrum near another in feature space.
public struct SimilarSpectrum: Sendable {
    public var candidate: Candidate
    /// The relevance kernel a label on the first spectrum would spread here
    /// (0–1; 1 = the same in every feature block).
    public var similarity: Double
    /// The reviewers' consensus label, when the spectrum has one.
    public var label: LabelClass?
}

/// `qad similar`: the spectra most similar to one spectrum among those a
/// candidate query selects, by the kernel a label on it would spread
/// (`RelevanceModel.similar`): near in any feature block counts, so a sky
/// residual finds other residuals at the same observed λ whatever their
/// quasar, and a BAL quasar others of its shape.
public struct SimilarSpectra {
    public let project: ProjectStore
    public var settings = RelevanceSettings()

    public init(project: ProjectStore) {
        self.project = project
    }

    public func run(_ targetid: TargetID, query: CandidateQuery, limit: Int, skip: Int = 0,
                    sample: ScoredSample? = nil) throws -> [SimilarSpectrum] {
        let store = project.store
        let sample = try sample ?? ScoredSample(project: project, model: query.model, options: settings.features)
        guard let origin = sample.index(of: targetid) else {
            throw LocatedError(column: "TARGETID",
                               message: "\(targetid) has no \(query.model) scores in \(project.location)")
        }
        var byID: [TargetID: Candidate] = [:]
        for c in try store.candidates(query) { byID[c.spectrum.targetid] = c }
        let eligible = byID.keys.compactMap { sample.index(of: $0) }.sorted()
        var everyone = settings
        everyone.poolMinimum = eligible.count
        let model = RelevanceModel(features: sample.features, anomalyPercentile: sample.anomalyPercentiles,
                                   eligible: eligible, settings: everyone)
        let nearest = model.similar(to: origin).dropFirst(skip).prefix(max(limit, 0))
        var labels: [TargetID: LabelClass] = [:]
        for c in try store.consensus() { labels[c.targetid] = c.label }
        return nearest.map { n in
            let id = sample.scores[n.index].targetid
            return SimilarSpectrum(candidate: byID[id]!, similarity: n.similarity, label: labels[id])
        }
    }

    static let columns = ["RANK", "TARGETID", "SIMILARITY", "Z", "SNR", "SCORE", "SCORE_PCT", "LABEL"]

    static func rows(_ found: [SimilarSpectrum]) -> [[String]] {
        found.enumerated().map { i, f in
            let s = f.candidate.spectrum
            return [String(i + 1), String(s.targetid), String(format: "%.4f", f.similarity), String(format: "%.4f", s.z),
                    String(format: "%.2f", s.snr), String(format: "%.3f", f.candidate.score.score),
                    String(format: "%.2f", f.candidate.score.scorePct), f.label?.rawValue ?? ""]
        }
    }

    public static func table(_ found: [SimilarSpectrum]) -> String {
        let rows = rows(found)
        var widths = columns.map(\.count)
        for r in rows { for (i, f) in r.enumerated() { widths[i] = max(widths[i], f.count) } }
        return ([columns] + rows).map { r in
            r.enumerated().map { i, f in i == r.count - 1 ? f : f.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    public static func csv(_ found: [SimilarSpectrum]) -> String {
        ([columns] + rows(found)).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    public static func json(_ found: [SimilarSpectrum]) -> String {
        let items = rows(found).map { r in
            "{\"rank\":\(r[0]),\"targetid\":\(r[1]),\"similarity\":\(r[2]),\"z\":\(r[3]),\"snr\":\(r[4]),"
                + "\"score\":\(r[5]),\"score_pct\":\(r[6]),\"label\":\(r[7].isEmpty ? "null" : jsonStringLiteral(r[7]))}"
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }
}
