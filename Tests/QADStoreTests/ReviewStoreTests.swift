import Foundation
import QADCore
import QADDetect
import QADLabels
import QADTestSupport
import Testing
@testable import QADStore

/// Reviewers, label events, consensus and the review queue, on SQLite and on
/// PostgreSQL alike.
@Suite struct ReviewStoreTests {
    @Test(arguments: StoreKind.runnable) func labelChangesAreEventsAndTheLatestIsCurrent(kind: StoreKind) throws {
        let s = try freshStore(kind)
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true)
        let bob = try s.upsertReviewer(name: "bob", tokenHash: "h2", isLocal: false)
        let id: TargetID = 39_627_000_000_000_123
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: id, labelClass: .unsure, createdAt: 1))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: id, labelClass: .artifact, subtype: "arm join",
                                               confidence: .high, notes: "step at 5800", createdAt: 2))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: bob.id!, targetid: id, labelClass: .genuineAnomaly, createdAt: 3))

        let history = try s.labelHistory(reviewerId: ann.id!, targetid: id)
        #expect(history.map(\.labelClass) == [.unsure, .artifact])
        #expect(try s.labelHistory(reviewerId: nil, targetid: nil).map(\.createdAt) == [1, 2, 3])
        #expect(try s.labelHistory(reviewerId: nil, targetid: id + 1).isEmpty)
        let current = try s.currentLabels(reviewerId: ann.id!, targetids: nil)
        #expect(current.count == 1)
        #expect(current[0].labelClass == .artifact && current[0].subtype == "arm join" && current[0].targetid == id)
        #expect(current[0].confidence == .high && current[0].notes == "step at 5800" && current[0].createdAt == 2)
        // Each reviewer's current label is their own.
        let all = try s.currentLabels(reviewerId: nil, targetids: [id])
        #expect(all.map(\.labelClass) == [.artifact, .genuineAnomaly])  // by TARGETID, then reviewer
        #expect(try s.currentLabels(reviewerId: nil, targetids: []).isEmpty)
        #expect(try s.labelEventCount() == 3)
        #expect(try s.reviewers().map(\.name) == ["ann", "bob"])
    }

    @Test(arguments: StoreKind.runnable) func theDatabaseRefusesToRewriteHistory(kind: StoreKind) throws {
        let location = try freshStoreLocation(kind)
        let s = try openStore(location)
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true)
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: 7, labelClass: .unsure))
        // The direct connection itself works (so the refusals below are the triggers').
        try executeDirectly("UPDATE reviewer SET is_local = FALSE", on: s, location: location)
        var refused = ["UPDATE label_event SET class = 'artifact'", "DELETE FROM label_event"]
        if kind == .postgres { refused.append("TRUNCATE label_event") }
        for sql in refused {
            do {
                try executeDirectly(sql, on: s, location: location)
                Issue.record("\(sql) was allowed")
            } catch {
                #expect("\(error)".contains("label_event is append-only"), "\(error)")
            }
        }
        #expect(try s.labelHistory(reviewerId: nil, targetid: nil).map(\.labelClass) == [.unsure])
        // Appending still works after the refusals.
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: 7, labelClass: .artifact))
        #expect(try s.labelEventCount() == 2)
    }

    @Test(arguments: StoreKind.runnable) func aRetriedEventIsStoredOnce(kind: StoreKind) throws {
        let s = try freshStore(kind)
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true)
        let bob = try s.upsertReviewer(name: "bob", tokenHash: "h2", isLocal: false)
        let e = LabelEventRecord(reviewerId: ann.id!, targetid: 9, labelClass: .artifact, clientEventId: "abc")
        let first = try s.appendLabel(e)
        var retried = e
        retried.labelClass = .unsure  // a retry is the same event, whatever it carries
        let second = try s.appendLabel(retried)
        #expect(first.id == second.id && second.labelClass == .artifact)
        // The id is per reviewer; events without one are never merged.
        _ = try s.appendLabel(LabelEventRecord(reviewerId: bob.id!, targetid: 9, labelClass: .artifact, clientEventId: "abc"))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: 9, labelClass: .unsure))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: 9, labelClass: .unsure))
        #expect(try s.labelEventCount() == 4)
    }

    /// Reviewers clicking twice, or a network retry racing the original: one event.
    @Test(arguments: StoreKind.runnable) func concurrentRetriesStoreOneEvent(kind: StoreKind) throws {
        let s = try freshStore(kind)
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "h1", isLocal: true).id!
        let ids = LockedIDs()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let e = LabelEventRecord(reviewerId: ann, targetid: 5, labelClass: .artifact, clientEventId: "same")
            if let stored = try? s.appendLabel(e) { ids.add(stored.id) }
        }
        #expect(ids.values.count == 8 && Set(ids.values).count == 1)
        #expect(try s.labelEventCount() == 1)
    }

    @Test(arguments: StoreKind.runnable) func aNewTokenReplacesTheOld(kind: StoreKind) throws {
        let s = try freshStore(kind)
        let first = try s.upsertReviewer(name: "ann", tokenHash: "old", isLocal: false)
        let again = try s.upsertReviewer(name: "ann", tokenHash: "new", isLocal: true)
        #expect(first.id == again.id && again.isLocal && again.createdAt == first.createdAt)
        #expect(try s.reviewer(tokenHash: "old") == nil)
        #expect(try s.reviewer(tokenHash: "new")?.name == "ann")
        // Being the local user once is kept when a later token is not local.
        #expect(try s.upsertReviewer(name: "ann", tokenHash: "newer", isLocal: false).isLocal)
        #expect(try s.reviewers().count == 1)
    }

    /// SQL metacharacters, quotes, backslashes and non-ASCII text are data on both stores.
    @Test(arguments: StoreKind.runnable) func hostileTextIsStoredAsData(kind: StoreKind) throws {
        let s = try freshStore(kind)
        let name = "Robert'); DROP TABLE label_event; --"
        let notes = "it's a \"BAL\"?\n$1 %s \\x00 \\' ; DELETE FROM reviewer; -- Ωμέγα 😀\t/* */"
        let subtype = "O'Brien \\\" $$ $tag$"
        let event = "e'); TRUNCATE label_event; --"
        let r = try s.upsertReviewer(name: name, tokenHash: "' OR '1'='1", isLocal: false)
        #expect(r.name == name)
        #expect(try s.reviewer(tokenHash: "' OR '1'='1")?.name == name)
        #expect(try s.reviewer(tokenHash: "x' OR 'x'='x") == nil)
        let stored = try s.appendLabel(LabelEventRecord(reviewerId: r.id!, targetid: 42, labelClass: .knownPhenomenon,
                                                        subtype: subtype, notes: notes, clientEventId: event))
        let again = try s.appendLabel(LabelEventRecord(reviewerId: r.id!, targetid: 42, labelClass: .unsure,
                                                       clientEventId: event))
        #expect(again.id == stored.id)
        let read = try #require(try s.labelHistory(reviewerId: r.id!, targetid: 42).first)
        #expect(read.notes == notes && read.subtype == subtype && read.clientEventId == event)
        #expect(try s.reviewers().map(\.name) == [name])
        #expect(try s.labelEventCount() == 1)
        #expect(try s.agreementSummary().pairs.isEmpty)
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

    @Test(arguments: StoreKind.runnable) func agreementSummaryPairsReviewersOnCommonTargets(kind: StoreKind) throws {
        let s = try freshStore(kind)
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

    /// The same label events give the same consensus, agreement and κ on both stores.
    @Test(.needs(.postgres)) func bothStoresAgreeOnConsensusAndKappa() throws {
        let sqlite = try freshStore(.sqlite), postgres = try freshStore(.postgres)
        var rng = Xoshiro256StarStar(seed: 7)
        let names = ["ann", "bob", "cai", "dee"]
        for store in [sqlite, postgres] {
            for n in names { _ = try store.upsertReviewer(name: n, tokenHash: "h-" + n, isLocal: n == "ann") }
        }
        // Several events per reviewer and target, so "latest" matters; classes skewed so κ is defined.
        for _ in 0..<400 {
            let reviewer = Int64(1 + rng.next() % 4)
            let target = TargetID(39_627_000_000_000_000 + Int64(rng.next() % 60))
            let cls = LabelClass.allCases[Int(rng.next() % 3)]
            let event = LabelEventRecord(reviewerId: reviewer, targetid: target, labelClass: cls, createdAt: 1)
            for store in [sqlite, postgres] { _ = try store.appendLabel(event) }
        }
        let a = try sqlite.agreementSummary(), b = try postgres.agreementSummary()
        #expect(a == b)
        #expect(a.pairs.count == 6 && a.pairs.allSatisfy { $0.kappa != nil })
        #expect(try sqlite.consensus() == postgres.consensus())
        #expect(try sqlite.currentLabels(reviewerId: nil, targetids: nil).map(\.id)
                == postgres.currentLabels(reviewerId: nil, targetids: nil).map(\.id))
    }

    @Test(arguments: StoreKind.runnable) func theQueuePutsMyUnlabelledCandidatesFirst(kind: StoreKind) throws {
        let s = try scoredStore(10, kind: kind)
        let base: TargetID = 39_633_559_463_397_000
        let ann = try s.upsertReviewer(name: "ann", tokenHash: "a", isLocal: true).id!
        let bob = try s.upsertReviewer(name: "bob", tokenHash: "b", isLocal: false).id!
        // ann labels the two best candidates (scores 9 and 8), one of them twice; bob one other.
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann, targetid: base + 9, labelClass: .unsure))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann, targetid: base + 9, labelClass: .artifact))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: ann, targetid: base + 8, labelClass: .genuineAnomaly))
        _ = try s.appendLabel(LabelEventRecord(reviewerId: bob, targetid: base + 7, labelClass: .artifact))

        var q = CandidateQuery()
        q.limit = 4
        let first = try s.reviewQueue(q, reviewerId: ann, unlabelledFirst: true, total: nil)
        #expect(first.total == 10 && first.unlabelled == 8)
        #expect(first.rows.map(\.score) == [7, 6, 5, 4])
        #expect(first.myLabels.isEmpty)
        // The page that crosses from the unlabelled part to the labelled one.
        q.offset = 6
        let last = try s.reviewQueue(q, reviewerId: ann, unlabelledFirst: true, total: 10)
        #expect(last.rows.map(\.score) == [1, 0, 9, 8])
        #expect(last.myLabels[base + 9]?.labelClass == .artifact && last.myLabels[base + 8]?.labelClass == .genuineAnomaly)
        q.offset = 9
        #expect(try s.reviewQueue(q, reviewerId: ann, unlabelledFirst: true, total: nil).rows.map(\.score) == [8])
        // Plain score order ignores labels; bob's queue only moves bob's label.
        q.offset = 0
        #expect(try s.reviewQueue(q, reviewerId: ann, unlabelledFirst: false, total: nil).rows.map(\.score)
                == [9, 8, 7, 6])
        // A row carries the candidate's own values.
        let whole = try s.candidates(q).map {
            QueueRow(targetid: $0.spectrum.targetid, score: $0.score.score, scorePct: $0.score.scorePct, z: $0.spectrum.z,
                     snr: $0.spectrum.snr, balProb: $0.spectrum.balProb, biCiv: $0.spectrum.biCiv)
        }
        #expect(try s.reviewQueue(q, reviewerId: ann, unlabelledFirst: false, total: nil).rows == whole)
        let bobs = try s.reviewQueue(q, reviewerId: bob, unlabelledFirst: true, total: nil)
        #expect(bobs.unlabelled == 9 && bobs.rows.map(\.score) == [9, 8, 6, 5])
        // The query's filters apply to both parts and to the counts.
        q.minimum[.score] = 5
        q.limit = nil
        let filtered = try s.reviewQueue(q, reviewerId: ann, unlabelledFirst: true, total: nil)
        #expect(filtered.total == 5 && filtered.unlabelled == 3)
        #expect(filtered.rows.map(\.score) == [7, 6, 5, 9, 8])
    }
}

/// Ids collected from concurrent calls.
private final class LockedIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [Int64?] = []
    func add(_ id: Int64?) { lock.withLock { ids.append(id) } }
    var values: [Int64?] { lock.withLock { ids } }
}
