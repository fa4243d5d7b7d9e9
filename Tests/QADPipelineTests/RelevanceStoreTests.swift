import Foundation
import QADCore
import QADDetect
import QADLabels
import QADPipeline
import QADStore
import QADStoreFixtures
import QADTestSupport
import Testing

/// The relevance queue and `qad similar` read only what both stores give
/// alike, so the same scores and labels rank the same on SQLite and PostgreSQL.
@Suite struct RelevanceStoreTests {
    /// Writes the same scored store and labels into `project`.
    func fill(_ project: ProjectStore) throws -> [TargetID] {
        _ = try SyntheticScoredStore.write(project: project, spectra: 400, spectraWithData: 50, seed: 3)
        let store = project.store
        let ann = try store.upsertReviewer(name: "ann", tokenHash: "a", isLocal: true)
        let bob = try store.upsertReviewer(name: "bob", tokenHash: "b", isLocal: false)
        let top = try store.scores(model: "vae").sorted { $0.score > $1.score }.prefix(12).map(\.targetid)
        let classes: [LabelClass] = [.artifact, .knownPhenomenon, .notAnomalous, .genuineAnomaly]
        for (i, id) in top.enumerated() {
            _ = try store.appendLabel(LabelEventRecord(reviewerId: ann.id!, targetid: id, labelClass: classes[i % 4],
                                                       createdAt: Double(i)))
            if i % 3 == 0 {
                _ = try store.appendLabel(LabelEventRecord(reviewerId: bob.id!, targetid: id, labelClass: .artifact,
                                                           createdAt: Double(i)))
            }
        }
        return top
    }

    func ranked(_ project: ProjectStore, _ source: RelevanceSource, _ map: RelevanceMap) throws -> [(TargetID, Double)] {
        var query = CandidateQuery()
        query.limit = 60
        return try RelevanceRanking(project: project).run(query, source: source, map: map).candidates
            .map { ($0.candidate.spectrum.targetid, $0.explanation.key) }
    }

    @Test func reviewerAndTeamQueuesLeaveOutWhatTheyLabelled() throws {
        let project = try ProjectStore(directory: temporaryDirectory())
        let top = try fill(project)
        let ann = try ranked(project, .reviewer("ann"), .physics)
        #expect(ann.count == 60 && Set(ann.map(\.0)).isDisjoint(with: top))
        #expect(ann.map(\.1) == ann.map(\.1).sorted(by: >))
        // Bob labelled only a third: the rest of the top is still in his queue.
        let bob = try ranked(project, .reviewer("bob"), .physics)
        #expect(Set(bob.map(\.0)).intersection(top).count == 8)
        // The instrument map turns the artefact labels' pull around.
        #expect(try ranked(project, .team, .instrument).map(\.0) != (try ranked(project, .team, .physics)).map(\.0))
        do {
            _ = try ranked(project, .reviewer("cy"), .physics)
            Issue.record("an unknown reviewer was accepted")
        } catch {
            #expect("\(error)".contains("no reviewer 'cy'") && "\(error)".contains("ann, bob"))
        }
    }

    @Test(.needs(.postgres)) func postgresRanksLikeSQLite() throws {
        let cluster = try PostgresCluster.required()
        let sqlite = try ProjectStore(directory: temporaryDirectory())
        let postgres = try ProjectStore.open(store: try cluster.makeDatabase(), cache: temporaryDirectory())
        #expect(try fill(sqlite) == (try fill(postgres)))
        for (source, map) in [(RelevanceSource.team, RelevanceMap.physics), (.reviewer("ann"), .instrument)] {
            let a = try ranked(sqlite, source, map), b = try ranked(postgres, source, map)
            #expect(a.map(\.0) == b.map(\.0), "\(source)")
            #expect(zip(a, b).allSatisfy { abs($0.1 - $1.1) < 1e-12 }, "\(source)")
        }
        let origin = try sqlite.store.scores(model: "vae").sorted { $0.score > $1.score }[20].targetid
        let near = { (p: ProjectStore) in try SimilarSpectra(project: p).run(origin, query: CandidateQuery(), limit: 15) }
        let (x, y) = (try near(sqlite), try near(postgres))
        #expect(x.count == 15 && x.map(\.candidate.spectrum.targetid) == y.map(\.candidate.spectrum.targetid))
        #expect(x.map(\.similarity) == y.map(\.similarity))
    }
}
