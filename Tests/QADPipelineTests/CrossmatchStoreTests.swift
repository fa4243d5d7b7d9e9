import Foundation
import QADCore
import QADStore
import QADTestSupport
import Testing
@testable import QADCrossmatch

@Suite struct CrossmatchStoreTests {
    func spectrum(_ id: TargetID, ra: Double?, dec: Double?, row: Int) -> SpectrumRecord {
        SpectrumRecord(targetid: id, ra: ra, dec: dec, z: 2, zSource: "catalog", spectype: "QSO", zwarn: 0, deltachi2: nil,
                       balProb: nil, biCiv: nil, aiCiv: nil, snr: 3, amplitude: 1, maskFrac: 0, zeroIvarFrac: 0, armStep: 0,
                       nbins: 10, flags: 0, survey: "test", sourceFile: "f.fits", sourceHdu: "FIBERMAP", sourceRow: row,
                       cacheShard: "s", cacheRow: row)
    }

    func store(_ dir: String) throws -> SQLiteStore {
        let s = try SQLiteStore(path: dir + "/qad.sqlite")
        let file = IngestedFileRecord(path: "f.fits", size: 1, mtime: 0, status: .done, nSpectra: 3, nSkipped: 0, ingestedAt: 0)
        try s.commit(FileCommit(file: file, spectra: [spectrum(Int64.max - 5, ra: 10, dec: 20, row: 0),
                                                       spectrum(7, ra: 359.99999, dec: -89.9, row: 1),
                                                       spectrum(8, ra: nil, dec: nil, row: 2)], problems: []),
                     shard: "s", shardRows: 3, columns: 10)
        return s
    }

    func targets(_ s: SQLiteStore) throws -> SkyTargets {
        let p = try s.targetPositions()
        return try SkyTargets(ids: p.map(\.targetid), ra: p.map(\.ra), dec: p.map(\.dec))
    }

    @Test func matchesRoundTripAndReRunsReplaceThem() throws {
        let dir = temporaryDirectory()
        let s = try store(dir)
        #expect(try s.targetsWithoutPosition() == 1)
        let t = try targets(s)
        #expect(t.ids == [7, Int64.max - 5])
        let cat = dir + "/cat.csv"
        try "id,ra,dec,big,label\n9223372036854775000,10.0001,20,9007199254740993,\"a,b\"\n5,0.00001,-89.9,1,x\n"
            .write(toFile: cat, atomically: true, encoding: .utf8)
        var request = CrossmatchRequest(catalogPath: cat, radiusArcsec: 5)
        request.idColumn = "id"
        request.keep = ["big", "label"]
        let result = try Crossmatcher(targets: t).run(request)
        let (record, matches) = CrossmatchCatalogRecord.records(name: "demo", preset: nil, result: result, targets: t)
        try s.replaceCrossmatch(record, matches: matches)

        let stored = try s.crossmatches(catalog: "demo")
        #expect(stored.count == 2)
        let m = try #require(stored.first { $0.targetid == Int64.max - 5 })
        #expect(m.nearestId == "9223372036854775000" && m.nWithin == 1)
        let columns = try #require(s.crossmatchCatalogs().first).columns
        let values = try #require(try m.typedValues(columns))
        #expect(values == [.int64(9_007_199_254_740_993), .string("a,b")])   // 2^53 + 1 exact
        #expect(abs(m.sepArcsec! - SkyGeometry.separationArcsec(ra1: 10, dec1: 20, ra2: 10.0001, dec2: 20)) < 1e-12)

        // A re-run with a smaller radius replaces the catalog's matches.
        request.radiusArcsec = 0.1
        let again = try Crossmatcher(targets: t).run(request)
        let (record2, matches2) = CrossmatchCatalogRecord.records(name: "demo", preset: nil, result: again, targets: t)
        try s.replaceCrossmatch(record2, matches: matches2)
        // At Dec −89.9, 359.99999° and 0.00001° are 0.00013″ apart: still a match; the other (0.34″) is not.
        #expect(try s.crossmatches(catalog: "demo").map(\.nearestId) == ["5", nil])
        #expect(try s.crossmatchCatalogs().map(\.radiusArcsec) == [0.1])
    }

    @Test func aFailedReplaceLeavesTheStoredMatches() throws {
        let dir = temporaryDirectory()
        let s = try store(dir)
        let t = try targets(s)
        let cat = dir + "/cat.csv"
        try "ra,dec\n10,20\n".write(toFile: cat, atomically: true, encoding: .utf8)
        let result = try Crossmatcher(targets: t).run(CrossmatchRequest(catalogPath: cat, radiusArcsec: 1))
        let (record, matches) = CrossmatchCatalogRecord.records(name: "x", preset: nil, result: result, targets: t)
        try s.replaceCrossmatch(record, matches: matches)
        // A batch with a row from another catalog fails half-way: nothing changes.
        var bad = matches
        bad[1].catalog = "other"
        bad[0].nWithin = 99
        #expect(throws: LocatedError.self) { try s.replaceCrossmatch(record, matches: bad) }
        #expect(try s.crossmatches(catalog: "x") == matches.sorted { $0.targetid < $1.targetid })
    }
}
