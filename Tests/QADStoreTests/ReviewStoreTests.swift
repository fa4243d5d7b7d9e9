import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADStore

@Suite struct ReviewStoreTests {
    func store() throws -> SQLiteStore { try SQLiteStore(path: temporaryPath("review.sqlite")) }

    @Test func labelChangesAreEventsAndTheLatestIsCurrent() throws {
        let s = try store()
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true)
        let bob = try s.upsertReviewer(name: "bob", tokenHash: "h2", isLocal: false)
        let id: TargetID = 39_627_000_000_000_123
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: id, labelClass: .unsure, createdAt: 1))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: id, labelClass: .artifact, subtype: "arm join",
                                               confidence: .high, notes: "step at 5800", createdAt: 2))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: bob.id!, targetid: id, labelClass: .genuineAnomaly, createdAt: 3))

        let history = try s.labelHistory(reviewerId: ann.id!, targetid: id)
        #expect(history.map(\.labelClass) == [.unsure, .artifact])
        let current = try s.currentLabels(reviewerId: ann.id!, targetids: nil)
        #expect(current.count == 1)
        #expect(current[0].labelClass == .artifact && current[0].subtype == "arm join" && current[0].targetid == id)
        // Each reviewer's current label is their own.
        let all = try s.currentLabels(reviewerId: nil, targetids: [id])
        #expect(Set(all.map(\.labelClass)) == [.artifact, .genuineAnomaly])
        #expect(try s.labelEventCount() == 3)
    }

    @Test func theDatabaseRefusesToRewriteHistory() throws {
        let s = try store()
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true)
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: 7, labelClass: .unsure))
        #expect(throws: (any Error).self) { try s.pool.write { try $0.execute(sql: "UPDATE label_event SET class = 'artifact'") } }
        #expect(throws: (any Error).self) { try s.pool.write { try $0.execute(sql: "DELETE FROM label_event") } }
        #expect(try s.labelHistory(reviewerId: nil, targetid: nil).map(\.labelClass) == [.unsure])
    }

    @Test func aRetriedEventIsStoredOnce() throws {
        let s = try store()
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true)
        let e = LabelEventRecord(reviewerId: ann.id!, targetid: 9, labelClass: .artifact, clientEventId: "abc")
        let first = try s.appendLabel(e)
        let second = try s.appendLabel(e)
        #expect(first.id == second.id)
        #expect(try s.labelEventCount() == 1)
    }

    @Test func aNewTokenReplacesTheOld() throws {
        let s = try store()
        let first = try s.upsertReviewer(name: "ann", tokenHash: "old", isLocal: false)
        let again = try s.upsertReviewer(name: "ann", tokenHash: "new", isLocal: false)
        #expect(first.id == again.id)
        #expect(try s.reviewer(tokenHash: "old") == nil)
        #expect(try s.reviewer(tokenHash: "new")?.name == "ann")
    }

    @Test func consensusTakesThePluralityAndCallsTiesUnsure() {
        let c = LabelConsensus(targetid: 1, labels: [.artifact, .artifact, .genuineAnomaly])
        #expect(c.label == .artifact && c.reviewers == 3 && abs(c.agreement - 2.0 / 3) < 1e-12 && !c.tied)
        let tie = LabelConsensus(targetid: 2, labels: [.artifact, .genuineAnomaly])
        #expect(tie.label == .unsure && tie.tied && tie.agreement == 0.5)
        #expect(LabelConsensus(targetid: 3, labels: [.notAnomalous]).agreement == 1)
    }

    @Test func cohenKappaMatchesTheTextbookExample() throws {
        // 50 items: both "yes" 20, A yes/B no 5, A no/B yes 10, both "no" 15 → pₒ = 0.7, pₑ = 0.5, κ = 0.4.
        let yes = LabelClass.genuineAnomaly, no = LabelClass.notAnomalous
        let a = Array(repeating: yes, count: 25) + Array(repeating: no, count: 25)
        let b = Array(repeating: yes, count: 20) + Array(repeating: no, count: 5)
            + Array(repeating: yes, count: 10) + Array(repeating: no, count: 15)
        let k = try #require(Agreement.cohenKappa(a, b))
        #expect(abs(k.observed - 0.7) < 1e-12)
        #expect(abs(k.kappa! - 0.4) < 1e-12)
        // Perfect agreement over two classes is κ = 1; one class for both has no defined κ.
        #expect(Agreement.cohenKappa([yes, no], [yes, no])?.kappa == 1)
        #expect(Agreement.cohenKappa([yes, yes], [yes, yes])?.kappa == nil)
    }

    @Test func agreementSummaryPairsReviewersOnCommonTargets() throws {
        let s = try store()
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "a", isLocal: true).id!
        let bob = try s.upsertReviewer(name: "bob", tokenHash: "b", isLocal: false).id!
        for (t, a, b) in [(1, LabelClass.artifact, LabelClass.artifact), (2, .genuineAnomaly, .artifact),
                          (3, .genuineAnomaly, .genuineAnomaly)] {
            _ = try s.appendLabel(LabelEventRecord(reviewerId: ann, targetid: TargetID(t), labelClass: a))
            _ = try s.appendLabel(LabelEventRecord(reviewerId: bob, targetid: TargetID(t), labelClass: b))
        }
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann, targetid: 4, labelClass: .unsure))
        let summary = try s.agreementSummary()
        #expect(summary.multiplyReviewed == 3)
        #expect(abs(summary.meanAgreement! - (1 + 0.5 + 1) / 3) < 1e-12)
        let pair = try #require(summary.pairs.first)
        #expect(pair.first == "ann" && pair.second == "bob" && pair.common == 3)
        // pₒ = 2/3; ann (A 1/3, G 2/3), bob (A 2/3, G 1/3): pₑ = 4/9; κ = (2/3 − 4/9)/(5/9) = 0.4.
        #expect(abs(pair.kappa! - 0.4) < 1e-12)
        #expect(try s.consensus().map(\.targetid) == [1, 2, 3, 4])
        #expect(try s.consensus(targetid: 2)?.tied == true)
        #expect(try s.consensus(targetid: 99) == nil)
    }
}
