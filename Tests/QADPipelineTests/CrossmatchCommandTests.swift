import Foundation
import QADStore
import QADTestSupport
import Testing

/// `qad crossmatch` and `qad export` end to end on real DESI spectra.
@Suite struct CrossmatchCommandTests {
    @Test func crossmatchStoresPairsAndExportCarriesTheColumns() throws {
        let qad = qadExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: qad), "build qad first (swift build): \(qad)")
        let dir = temporaryDirectory()
        let store = dir + "/store"
        let ingest = try run(qad, ["ingest", "--store", store, "--qso-catalog",
                                   sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz"), sharedData("desi/edr-tile-80693")])
        try #require(ingest.status == 0, "\(ingest.output)")

        // The healpix QSO catalog holds the same objects: each target finds itself at 0″.
        let healpix = sharedData("desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz")
        let xm = try run(qad, ["crossmatch", "--store", store, "--catalog", healpix, "--name", "desi", "--id-col", "TARGETID",
                               "--keep", "Z", "--radius", "1", "--pairs-out", dir + "/pairs.csv"])
        #expect(xm.status == 0, "\(xm.output)")
        let pairs = try String(contentsOfFile: dir + "/pairs.csv", encoding: .utf8).split(separator: "\n")
        #expect(pairs.first == "TARGETID,TARGETID,SEP_ARCSEC")
        let sqlite = try SQLiteStore(path: store + "/qad.sqlite", readOnly: true)
        let matches = try sqlite.crossmatches(catalog: "desi")
        #expect(matches.count == 10)
        #expect(pairs.count - 1 == matches.reduce(0) { $0 + $1.nWithin })
        for m in matches where m.nWithin > 0 {
            #expect(m.nearestId == String(m.targetid) && m.sepArcsec == 0)
        }

        // Bad input fails naming file, column and row, and the stored matches stay.
        let bad = dir + "/bad.csv"
        try "RA,DEC\n1,2\n3,nan\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let failed = try run(qad, ["crossmatch", "--store", store, "--catalog", bad, "--name", "desi"])
        #expect(failed.status != 0)
        #expect(failed.output.contains("bad.csv column DEC row 1 (line 3)"), "\(failed.output)")
        #expect(try sqlite.crossmatches(catalog: "desi") == matches)

        // Export: the cross-match columns beside the catalog's, in every format.
        for format in ["csv", "fits", "parquet", "votable"] {
            let out = try run(qad, ["export", "--store", store, "--format", format, "--out", dir + "/cat." + format, "--all"])
            #expect(out.status == 0, "\(out.output)")
        }
        let csv = try String(contentsOfFile: dir + "/cat.csv", encoding: .utf8).split(separator: "\r\n")
        let header = "TARGETID,RA,DEC,Z,SNR,BAL_PROB,FLAGS,N_EPOCHS,MJD_FIRST,MJD_LAST,EPOCH_BASELINE,VARIABILITY,CHANGING_LOOK,CLASS_CHANGE,LYA_RATIO,LYA_CHANGE_SIG,CIV_RATIO,CIV_CHANGE_SIG,CIII_RATIO,CIII_CHANGE_SIG,"
            + "MGII_RATIO,MGII_CHANGE_SIG,HBETA_RATIO,HBETA_CHANGE_SIG,HALPHA_RATIO,HALPHA_CHANGE_SIG,CONSENSUS_CLASS,N_REVIEWERS,AGREEMENT,PROPOSED_Z,DESI_ID,DESI_SEP,DESI_N,DESI_CHANCE,DESI_Z"
        #expect(csv.first.map(String.init) == header)
        #expect(csv.count == 11)
        let noAll = try run(qad, ["export", "--store", store, "--format", "csv", "--out", dir + "/x.csv"])
        #expect(noAll.status != 0 && noAll.output.contains("--all"))
    }
}
