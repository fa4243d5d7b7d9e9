import Foundation
import QADCore
import QADDetect
import QADLabels
import QADStore

/// "Less like this" for a whole family: a reviewer hides every candidate whose
/// strongest localized residual sits where a chosen candidate's does (e.g.
/// every residual at the 5577 Å sky line), and can undo it. The same for
/// `qad suppress`, `qad rank --hide-suppressed` and the review app.
public struct FamilySuppressions {
    public let store: any Store

    public init(store: any Store) { self.store = store }

    /// The id of the reviewer called `name`.
    public func reviewerId(named name: String) throws -> Int64 {
        let all = try store.reviewers()
        guard let id = all.first(where: { $0.name == name })?.id else {
            let known = all.map(\.name).joined(separator: ", ")
            throw LocatedError("no reviewer named '\(name)' in the store" + (known.isEmpty ? " (none yet: qad review add-reviewer)" : " (reviewers: \(known))"))
        }
        return id
    }

    /// The families hidden for `who`: "team" (every reviewer's active
    /// suppressions) or one reviewer's name.
    public func hiddenFamilies(of who: String) throws -> [FamilyWindow] {
        try store.hiddenFamilies(reviewerId: who == "team" ? nil : try reviewerId(named: who))
    }

    /// The family of `seed`'s strongest residual in `frame`.
    public func family(of seed: TargetID, model: String, frame: FamilyWindow.Frame, halfWidth: Double? = nil,
                       minimumPercentile: Double = FamilyWindow.defaultPercentile) throws -> FamilyWindow {
        guard let score = try store.score(model: model, targetid: seed) else {
            throw LocatedError("TARGETID \(seed) has no scores of model \(model) (qad score first)")
        }
        guard var window = FamilyWindow.around(score, frame: frame, halfWidth: halfWidth) else {
            throw LocatedError("TARGETID \(seed) has no localized residual in the \(frame == .observed ? "observed" : "rest") frame")
        }
        window.minimumPercentile = minimumPercentile
        return window
    }

    /// How many scored candidates of `model` the family holds.
    public func members(_ window: FamilyWindow, model: String) throws -> Int {
        var all = CandidateQuery(model: model), kept = all
        kept.hiddenFamilies = [window]
        all.limit = nil
        return try store.candidateCount(all) - store.candidateCount(kept)
    }

    /// Records `reviewerId`'s suppression of `window`, taken from `seed`.
    public func suppress(_ window: FamilyWindow, seed: TargetID, reviewerId: Int64) throws -> SuppressionRecord {
        try store.addSuppression(SuppressionRecord(reviewerId: reviewerId, window: window, seed: seed))
    }

    /// One line per suppression, for people.
    public static func describe(_ s: SuppressionRecord, reviewer: String, members: Int?) -> String {
        let frame = s.frame == FamilyWindow.Frame.observed.rawValue ? "observed" : "rest"
        let score = s.frame == FamilyWindow.Frame.observed.rawValue ? ScoreName.localObs : .localRest
        let state = s.withdrawnAt.map { "undone " + Self.date($0) } ?? "active"
        let count = members.map { ", \($0) candidates" } ?? ""
        return String(format: "suppression %lld by %@: %@-frame residuals at %.1f–%.1f Å (%@ ≥ %.0fth percentile), like %lld%@; %@ %@",
                      s.id ?? 0, reviewer, frame, s.lambdaMin, s.lambdaMax, score.rawValue, s.minimumPercentile, s.seed, count,
                      Self.date(s.createdAt), state)
    }

    static func date(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
