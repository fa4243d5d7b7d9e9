import Foundation
import QADCore
import QADCrossmatch
import QADDetect
import QADTestSupport
import Testing
@testable import QADStore

/// A store of `kind` with `n` spectra whose combined score rises with TARGETID
/// (nil when PostgreSQL is missing outside CI).
func scoredStore(_ n: Int, kind: StoreKind, model: String = "vae") throws -> FullStore {
    let store = try freshStore(kind)
    let base: TargetID = 39_633_559_463_397_000
    var spectra: [SpectrumRecord] = []
    var scores: [ScoreRecord] = []
    for i in 0..<n {
        let id = base + TargetID(i)
        spectra.append(SpectrumRecord(targetid: id, ra: Double(i), dec: 0, z: 0.5 + Double(i) * 0.1, zSource: "catalog",
                                      spectype: "QSO", zwarn: 0, deltachi2: nil, balProb: i == 3 ? 0.9 : nil,
                                      biCiv: i == 4 ? 1200 : nil, aiCiv: nil, snr: 1 + Double(i % 5), amplitude: 1,
                                      maskFrac: 0, zeroIvarFrac: 0, armStep: 0, nbins: 1000,
                                      flags: i == 5 ? QualityFlags.lowSNR.rawValue : 0, survey: "DESI",
                                      sourceFile: "f.fits", sourceHdu: "FIBERMAP", sourceRow: i, cacheShard: "main",
                                      cacheRow: i))
        var values: [ScoreName: Double] = [:]
        var pct: [ScoreName: Double] = [:]
        for name in ScoreName.allCases { values[name] = Double(i); pct[name] = 100 * Double(i) / Double(n) }
        scores.append(ScoreRecord(model: model, targetid: id, values: values, percentiles: pct, localRestLambda: 1549,
                                  localRestWidth: 20, localObsLambda: 5577, localObsWidth: 5,
                                  explanation: [ExplanationWindow(window: "CIV", frame: "rest", share: 0.5)],
                                  neighbors: [base + 1, base + 2]))
    }
    try store.commit(FileCommit(file: IngestedFileRecord(path: "f.fits", size: 1, mtime: 1, status: .done, nSpectra: n,
                                                         nSkipped: 0, ingestedAt: 0), spectra: spectra, problems: []),
                     shard: "main", shardRows: n, columns: 10)
    try store.replaceScores(scores, run: ScoreRunRecord(model: model, modelFingerprint: "abc", scoredAt: 0, spectra: n,
                                                        parameters: "{}"))
    return store
}

/// The score and cross-match tables, on SQLite and on PostgreSQL alike.
@Suite struct ScoreStoreTests {
    /// Candidates join score and spectrum rows and are decoded by column name:
    /// a score column named like a spectrum column would read the wrong one.
    @Test func scoreColumnsAreNotNamedLikeSpectrumColumns() {
        let scoreColumns = Set(ScoreName.allCases.flatMap { [$0.rawValue, $0.percentileColumn] })
        #expect(scoreColumns.isDisjoint(with: SpectrumRecord.table.columnNames))
    }

    @Test(arguments: StoreKind.runnable) func candidatesFollowTheTypedFilters(kind: StoreKind) throws {
        let store = try scoredStore(20, kind: kind)
        var q = CandidateQuery()
        q.limit = 3
        let top = try store.candidates(q)
        #expect(top.map(\.score.score) == [19, 18, 17])
        #expect(top[0].spectrum.targetid == 39_633_559_463_397_019)  // exact beyond 2^53
        #expect(top[0].score.neighbors == [39_633_559_463_397_001, 39_633_559_463_397_002])
        #expect(top[0].score.explanation == [ExplanationWindow(window: "CIV", frame: "rest", share: 0.5)])

        q = CandidateQuery()
        q.zMin = 1.0
        q.zMax = 1.5
        q.snrMin = 2
        #expect(try store.candidates(q).allSatisfy { $0.spectrum.z >= 1 && $0.spectrum.z <= 1.5 && $0.spectrum.snr >= 2 })
        #expect(try store.candidateCount(q) == store.candidates(q).count)

        q = CandidateQuery()
        q.bal = .only
        #expect(Set(try store.candidates(q).map(\.score.score)) == [3, 4])
        q.bal = .exclude
        q.excludeFlags = .lowSNR
        #expect(try store.candidateCount(q) == 17)

        q = CandidateQuery()
        q.minimumPercentile[.knn] = 90
        q.sortBy = .kl
        q.ascending = true
        #expect(try store.candidates(q).map { $0.score.value(.kl) } == [18, 19])
        q.offset = 1
        #expect(try store.candidates(q).map { $0.score.value(.kl) } == [19])

        // The ids alone, for a selection too large to decode: the same spectra in the same order, paged alike.
        var ids = CandidateQuery()
        ids.zMin = 1
        ids.bal = .exclude
        ids.limit = nil
        #expect(try store.candidateIDs(ids) == store.candidates(ids).map(\.spectrum.targetid))
        #expect(try store.candidateIDs(ids).count == store.candidateCount(ids))
        ids.sortBy = .kl
        ids.ascending = true
        ids.limit = 4
        ids.offset = 2
        #expect(try store.candidateIDs(ids) == store.candidates(ids).map(\.spectrum.targetid))
    }

    /// Ranking by what `qad epochs` stored: sort by variability (objects with
    /// one epoch last), a variability floor, changing looks only; replacing
    /// the table replaces every row.
    @Test(arguments: StoreKind.runnable) func candidatesSortAndFilterOnVariability(kind: StoreKind) throws {
        let store = try scoredStore(20, kind: kind)
        let base: TargetID = 39_633_559_463_397_000
        func found(_ i: Int64, _ v: Double, look: String? = nil) -> EpochVariabilityRecord {
            EpochVariabilityRecord(object: base + i, epochs: 2, restFrameDays: 300, variability: v, changingLook: look,
                                   classChange: nil, redshiftConflict: false, localSignificance: .nan,
                                   localRestLambda: 4861, continuumRatio: 0.5,
                                   lines: look == nil ? [:] : ["Hβ": (0.21, -6.5), "MgII": (0.93, .nan)])
        }
        try store.replaceEpochVariability([found(2, 1.5), found(7, 9.0, look: "Hβ broad vanished"), found(11, -0.3)])
        #expect(try store.epochVariability().map(\.object) == [base + 7, base + 2, base + 11])
        #expect(try store.epochVariability()[0].localSignificance == nil)  // NaN is stored as missing
        // Per-line changes round-trip by line; lines not measured stay missing.
        let changed = try #require(try store.epochVariability(of: base + 7))
        let hβ = EpochLine.names.firstIndex(of: "Hβ")!, mgII = EpochLine.names.firstIndex(of: "MgII")!
        #expect(changed.lineRatio[hβ] == 0.21 && changed.lineChangeSignificance[hβ] == -6.5)
        #expect(changed.lineRatio[mgII] == 0.93 && changed.lineChangeSignificance[mgII] == nil)
        #expect(changed.lineRatio.compactMap { $0 }.count == 2)
        #expect(try store.epochVariability(of: base + 2)?.lineRatio == Array(repeating: nil, count: EpochLine.names.count))

        var q = CandidateQuery()
        q.sortByVariability = true
        q.limit = 4
        #expect(try store.candidates(q).map { $0.spectrum.targetid - base } == [7, 2, 11, 0])
        q.ascending = true
        #expect(try store.candidates(q).map { $0.spectrum.targetid - base } == [11, 2, 7, 0])
        q = CandidateQuery()
        q.minVariability = 1
        #expect(Set(try store.candidates(q).map { $0.spectrum.targetid - base }) == [2, 7])
        #expect(try store.candidateCount(q) == 2)
        q = CandidateQuery()
        q.changingLookOnly = true
        #expect(try store.candidates(q).map { $0.spectrum.targetid - base } == [7])

        try store.replaceEpochVariability([found(3, 2)])
        #expect(try store.epochVariability().map(\.object) == [base + 3])
    }

    @Test(arguments: StoreKind.runnable) func filterValuesAreDataNotSQL(kind: StoreKind) throws {
        let store = try scoredStore(5, kind: kind)
        let hostile = CandidateQuery(model: "vae' OR '1'='1")
        #expect(try store.candidates(hostile).isEmpty)
        #expect(try store.candidateCount(CandidateQuery()) == 5)
    }

    @Test(arguments: StoreKind.runnable) func rescoringReplacesAModelsScoresWhole(kind: StoreKind) throws {
        let store = try scoredStore(6, kind: kind)
        let one = try #require(try store.score(model: "vae", targetid: 39_633_559_463_397_002))
        var changed = one
        changed.values[ScoreName.score.index] = 99
        try store.replaceScores([changed], run: ScoreRunRecord(model: "vae", modelFingerprint: "def", scoredAt: 1,
                                                               spectra: 1, parameters: "{}"))
        #expect(try store.scores(model: "vae") == [changed])
        #expect(try store.scoreRun(model: "vae")?.modelFingerprint == "def")
        // A record of another model in the batch aborts the whole replacement.
        var stray = changed
        stray.model = "other"
        #expect(throws: LocatedError.self) {
            try store.replaceScores([stray], run: ScoreRunRecord(model: "vae", modelFingerprint: "x", scoredAt: 2,
                                                                 spectra: 1, parameters: "{}"))
        }
        #expect(try store.scores(model: "vae") == [changed])
    }

    @Test(arguments: StoreKind.runnable) func crossmatchesAreReplacedPerCatalog(kind: StoreKind) throws {
        let store = try scoredStore(4, kind: kind)
        let positions = try store.targetPositions()
        #expect(positions.count == 4 && positions.map(\.targetid) == positions.map(\.targetid).sorted())
        func catalog(_ name: String) -> CrossmatchCatalogRecord {
            CrossmatchCatalogRecord(name: name, path: "/x/\(name).fits", raColumn: "ra", decColumn: "dec", idColumn: "id",
                                    radiusArcsec: 2, preset: nil, sourcesRead: 10, targets: 4, matchedTargets: 1, pairs: 1,
                                    columns: [], matchedAt: 0)
        }
        let id = positions[0].targetid
        let match = CrossmatchMatchRecord(catalog: "wise'; DROP TABLE score; --", targetid: id, nearestId: "J1\t2",
                                          sepArcsec: 0.4, nWithin: 1, values: [], densityDeg2: 9000,
                                          densityAreaDeg2: 0.01, chanceMatches: 0.01)
        try store.replaceCrossmatch(catalog("wise'; DROP TABLE score; --"), matches: [match])
        try store.replaceCrossmatch(catalog("galex"), matches: [])
        #expect(try store.crossmatches(of: id) == [match])
        #expect(try store.crossmatchCatalogs().map(\.name) == ["galex", "wise'; DROP TABLE score; --"])
        #expect(try store.scores(model: "vae").count == 4)
        // A replacement with a stray match changes nothing.
        var stray = match
        stray.catalog = "other"
        #expect(throws: LocatedError.self) { try store.replaceCrossmatch(catalog("wise'; DROP TABLE score; --"), matches: [stray]) }
        #expect(try store.crossmatches(catalog: "wise'; DROP TABLE score; --") == [match])
    }
}
