import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADCrossmatch

/// qad's pairs against astropy's search_around_sky (tools/crosscheck_match.py):
/// the same pairs, separations within 1 mas.
@Suite(.serialized, .needs(.python)) struct AstropyMatchTests {
    /// Matches, writes the pairs file, and has astropy check it.
    func crossCheck(targets: String, tID: String, tRA: String, tDec: String, catalog: String, cID: String?,
                    cRA: String, cDec: String, radius: Double, expectPairs: Bool = true) throws {
        let python = try requirePython()
        let t = try SkyTargets.load(path: targets, id: tID, ra: tRA, dec: tDec)
        var request = CrossmatchRequest(catalogPath: catalog, radiusArcsec: radius)
        request.raColumn = cRA
        request.decColumn = cDec
        request.idColumn = cID
        request.threads = 2
        request.chunkRows = 250_000
        let pairsPath = temporaryPath("pairs.csv")
        let sink = try PairsCSVWriter(path: pairsPath)
        let result = try Crossmatcher(targets: t).run(request, pairs: sink)
        try sink.finish()
        if expectPairs { #expect(result.pairs > 0) }
        let (status, output) = try run(python, [packageRoot.appendingPathComponent("tools/crosscheck_match.py").path, "check",
                                                targets, tRA, tDec, tID, catalog, cRA, cDec, cID ?? "ROW", "\(radius)", pairsPath])
        #expect(status == 0, "\(output)")
        #expect(output.contains("OK"), "\(output)")
    }

    @Test func desiQSOCatalogAgainstCoaddFibermap() throws {
        // The EDR tile coadds' FIBERMAP positions against the QSO catalog rows.
        for coadd in ["coadd-1-80693-thru20210204.fits", "coadd-2-80693-thru20210204.fits"] {
            let c = sharedData("desi/edr-tile-80693/" + coadd)
            try crossCheck(targets: c, tID: "TARGETID", tRA: "TARGET_RA", tDec: "TARGET_DEC",
                           catalog: sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz"), cID: "TARGETID",
                           cRA: "TARGET_RA", cDec: "TARGET_DEC", radius: 1)
        }
        // The healpix catalog against the tile catalog at 2° (many pairs, large separations).
        try crossCheck(targets: sharedData("desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz"), tID: "TARGETID",
                       tRA: "TARGET_RA", tDec: "TARGET_DEC", catalog: sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz"),
                       cID: "TARGETID", cRA: "TARGET_RA", cDec: "TARGET_DEC", radius: 7200)
    }

    @Test func sdssSpAllAgainstCatForClustering() throws {
        for radius in [2.0, 900] {
            try crossCheck(targets: sharedData("sdss/picca/cat_for_clustering_plate3655.fits.gz"), tID: "THING_ID",
                           tRA: "RA", tDec: "DEC", catalog: sharedData("sdss/picca/spAll-plate3655.fits"), cID: nil,
                           cRA: "PLUG_RA", cDec: "PLUG_DEC", radius: radius)
        }
    }

    /// A million sources with crowds at both poles and along RA = 0/360, exact
    /// pole and RA = 0 points, duplicates and near counterparts.
    @Test func millionRandomSourcesWithPolesAndTheRASeam() throws {
        let python = try requirePython()
        let dir = temporaryDirectory()
        let (status, output) = try run(python, [packageRoot.appendingPathComponent("tools/crosscheck_match.py").path,
                                                "random", dir, "200000", "1000000", "42"])
        try #require(status == 0, "\(output)")
        for radius in [3.0] {
            try crossCheck(targets: dir + "/targets.parquet", tID: "TARGETID", tRA: "RA", tDec: "DEC",
                           catalog: dir + "/sources.fits", cID: "SOURCE_ID", cRA: "RA", cDec: "DEC", radius: radius)
        }
        // Radius 0: only identical positions (the duplicates) match.
        try crossCheck(targets: dir + "/targets.parquet", tID: "TARGETID", tRA: "RA", tDec: "DEC",
                       catalog: dir + "/sources.fits", cID: "SOURCE_ID", cRA: "RA", cDec: "DEC", radius: 0)
    }
}
