import Foundation
import QADCore
import QADDetect
import QADLabels
import QADTestSupport
import Testing
@testable import QADStore

/// Suppressed candidate families, on SQLite and on PostgreSQL alike: a
/// reviewer's suppression hides the family from their selections only, undo
/// brings it back, and the record stays.
@Suite struct SuppressionStoreTests {
    /// 20 spectra: the even ones have their strongest observed-frame residual
    /// near 5577 Å, odd ones elsewhere; 0 and 2 sit there with a weak residual.
    private func skyStore(_ kind: StoreKind) throws -> (FullStore, [ScoreRecord]) {
        let store = try scoredStore(20, kind: kind)
        var scores = try store.scores(model: "vae").sorted { $0.targetid < $1.targetid }
        let localObs = ScoreName.localObs.index, localRest = ScoreName.localRest.index
        for (i, _) in scores.enumerated() {
            scores[i].localObsLambda = i % 2 == 0 ? 5575 + 0.2 * Double(i) : 4000 + 200 * Double(i)
            scores[i].localRestLambda = 1549 + Double(i)
            scores[i].percentiles[localObs] = i % 2 == 0 && i < 4 ? 50 : 95
            scores[i].percentiles[localRest] = 95
        }
        try store.replaceScores(scores, run: ScoreRunRecord(model: "vae", modelFingerprint: "abc", scoredAt: 0, spectra: 20,
                                                            parameters: "{}"))
        return (store, scores)
    }

    @Test(arguments: StoreKind.runnable) func aSuppressedFamilyLeavesOnlyItsReviewersQueue(kind: StoreKind) throws {
        let (store, scores) = try skyStore(kind)
        let ann = try #require(try store.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true).id)
        let bob = try #require(try store.upsertReviewer(name: "bob", tokenHash: "h2", isLocal: false).id)
        let window = try #require(FamilyWindow.around(scores[4], frame: .observed))
        #expect(window.lambda == 5570.8...5580.8)  // ± half the 5 Å window, at least 5 Å
        let family = Set(scores.filter { window.contains($0) }.map(\.targetid))
        #expect(family.count == 8)  // 4, 6, …, 18: 0 and 2 sit there too, but their residual is weak

        let made = try store.addSuppression(SuppressionRecord(reviewerId: ann, window: window, seed: scores[4].targetid,
                                                              createdAt: 100))
        #expect(made.id != nil && made.isActive && made.window == window)
        func selected(_ reviewer: Int64?) throws -> Set<TargetID> {
            var q = CandidateQuery()
            q.limit = nil
            q.hiddenFamilies = try store.hiddenFamilies(reviewerId: reviewer)
            return Set(try store.candidates(q).map(\.spectrum.targetid))
        }
        let all = Set(scores.map(\.targetid))
        #expect(try selected(ann) == all.subtracting(family))
        #expect(try selected(bob) == all)
        #expect(try selected(nil) == all.subtracting(family))  // the team's: everyone's suppressions
        var counted = CandidateQuery()
        counted.hiddenFamilies = [window]
        #expect(try store.candidateCount(counted) == 12)

        // A rest-frame family of bob's: 1551 ± 3.5 Å holds spectra 0–5 (rest λ 1549–1554).
        let rest = try #require(FamilyWindow.around(scores[2], frame: .rest, halfWidth: 3.5))
        _ = try store.addSuppression(SuppressionRecord(reviewerId: bob, window: rest, seed: scores[2].targetid))
        #expect(try selected(bob) == all.subtracting(scores.prefix(6).map(\.targetid)))

        // Only the reviewer who made it can undo it; undone, it stays on record.
        #expect(try store.withdrawSuppression(id: made.id!, reviewerId: bob, at: 200) == nil)
        let undone = try #require(try store.withdrawSuppression(id: made.id!, reviewerId: ann, at: 200))
        #expect(undone.withdrawnAt == 200 && !undone.isActive)
        #expect(try store.withdrawSuppression(id: made.id!, reviewerId: ann, at: 300) == nil)
        #expect(try selected(ann) == all)
        let record = try store.suppressions(reviewerId: ann)
        #expect(record.count == 1 && record[0].createdAt == 100 && record[0].withdrawnAt == 200)
        #expect(try store.suppressions(reviewerId: nil).map(\.reviewerId) == [ann, bob])
    }
}
