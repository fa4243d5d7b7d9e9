import Foundation
import QADCore
import QADDetect
import QADFormats
import QADLabels
import QADModel
import QADStore

/// Every scored spectrum of a model with its relevance features: what
/// `qad rank --relevance`, `qad similar` and the simulated reviewer work on.
public struct ScoredSample: Sendable {
    public let model: String
    /// In TARGETID order; the feature index of a spectrum is its position here.
    public let scores: [ScoreRecord]
    public let features: RelevanceFeatures
    private let position: [TargetID: Int]

    public var count: Int { scores.count }
    public func index(of id: TargetID) -> Int? { position[id] }
    public var anomalyPercentiles: [Double] { scores.map(\.scorePct) }

    /// Reads the model's scores and latent means from the store.
    public init(project: ProjectStore, model: String, options: RelevanceFeatures.Options = .init()) throws {
        let store = project.store
        guard try store.scoreRun(model: model) != nil else {
            throw LocatedError("model \(model) has no scores in \(project.location): run qad score first")
        }
        let scores = try store.scores(model: model).sorted { $0.targetid < $1.targetid }
        let path = project.modelDirectory(model) + "/" + ModelFiles.latentMuName
        var latent: ((Int) -> [Float])?
        if FileManager.default.fileExists(atPath: path) {
            let matrix = try MappedNPYMatrix(path: path)
            // Latent row i is the model's (global) cache row i (qad infer).
            var rows: [TargetID: Int] = [:]
            for o in try store.modelOutputs(model: model) { rows[o.targetid] = o.cacheRow }
            var missing: TargetID?
            let rowOf = scores.map { s -> Int in
                guard let r = rows[s.targetid], r < matrix.rows else { missing = missing ?? s.targetid; return -1 }
                return r
            }
            if let missing {
                throw LocatedError(file: path, message: "TARGETID \(missing) is scored but has no latent row (re-run qad infer and qad score)")
            }
            latent = { i in
                let row = matrix.row(rowOf[i])
                return (0..<matrix.columns).map { row[$0] }
            }
        }
        self.init(model: model, scores: scores, features: RelevanceFeatures(scores: scores, latent: latent, options: options))
    }

    public init(model: String, scores: [ScoreRecord], features: RelevanceFeatures) {
        precondition(scores.count == features.count)
        self.model = model
        self.scores = scores
        self.features = features
        var position: [TargetID: Int] = [:]
        for (i, s) in scores.enumerated() { position[s.targetid] = i }
        self.position = position
    }
}

/// Whose labels teach the ranking.
public enum RelevanceSource: Sendable, Equatable, CustomStringConvertible {
    /// Every reviewer's consensus (a tie counts as unsure).
    case team
    /// One reviewer's own current labels.
    case reviewer(String)

    /// "team", or a reviewer's name.
    public init(_ text: String) {
        self = text.lowercased() == "team" ? .team : .reviewer(text)
    }

    public var description: String {
        switch self {
        case .team: return "team"
        case .reviewer(let name): return name
        }
    }

    /// The current labels this source holds, by TARGETID.
    public func labels(in store: any Store) throws -> [TargetID: LabelClass] {
        switch self {
        case .team:
            var out: [TargetID: LabelClass] = [:]
            for c in try store.consensus() { out[c.targetid] = c.label }
            return out
        case .reviewer(let name):
            guard let id = try store.reviewerId(named: name) else {
                let names = try store.reviewers().map(\.name)
                throw LocatedError(column: "relevance",
                                   message: "no reviewer '\(name)' in this store (reviewers: "
                                       + (names.isEmpty ? "none" : names.joined(separator: ", ")) + "; or use 'team')")
            }
            var out: [TargetID: LabelClass] = [:]
            for l in try store.currentLabels(reviewerId: id, targetids: nil) { out[l.targetid] = l.labelClass }
            return out
        }
    }
}
