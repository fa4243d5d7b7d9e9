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
        guard let id = try store.reviewerId(named: name) else {
            let known = try store.reviewers().map(\.name).joined(separator: ", ")
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
            throw LocatedError("TARGETID \(seed) has no localized residual in the \(frame.title) frame")
        }
        window.minimumPercentile = minimumPercentile
        return window
    }

    /// How many scored candidates of `model` the family holds.
    public func members(_ window: FamilyWindow, model: String) throws -> Int {
        try members(of: [window], model: model)[0]!  // a window given is counted
    }

    /// How many scored candidates of `model` each family holds (nil for a
    /// family this version cannot read), the whole selection counted once.
    /// `count` counts a selection: the review app passes its cached counts.
    public func members(of windows: [FamilyWindow?], model: String,
                        count: ((CandidateQuery) throws -> Int)? = nil) throws -> [Int?] {
        let count = count ?? { try store.candidateCount($0) }
        guard windows.contains(where: { $0 != nil }) else { return windows.map { _ in nil } }
        let all = CandidateQuery(model: model)
        let total = try count(all)
        return try windows.map { window in
            guard let window else { return nil }
            var kept = all
            kept.hiddenFamilies = [window]
            return total - (try count(kept))
        }
    }

    /// Records `reviewerId`'s suppression of `window`, taken from `seed`.
    public func suppress(_ window: FamilyWindow, seed: TargetID, reviewerId: Int64) throws -> SuppressionRecord {
        try store.addSuppression(SuppressionRecord(reviewerId: reviewerId, window: window, seed: seed))
    }

    /// One line per suppression, for people.
    public static func describe(_ s: SuppressionRecord, reviewer: String, members: Int?) -> String {
        let frame = FamilyWindow.Frame(rawValue: s.frame)
        let state = s.withdrawnAt.map { "undone " + Self.date($0) } ?? "active"
        let count = members.map { ", \($0) candidates" } ?? ""
        return String(format: "suppression %lld by %@: %@-frame residuals at %.1f–%.1f Å (%@ ≥ %.0fth percentile), like %lld%@; %@ %@",
                      s.id ?? 0, reviewer, frame?.title ?? s.frame, s.lambdaMin, s.lambdaMax, frame?.score.rawValue ?? "?",
                      s.minimumPercentile, s.seed, count,
                      Self.date(s.createdAt), state)
    }

    static func date(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
