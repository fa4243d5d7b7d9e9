import Foundation
import QADCore
import QADFormats
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

/// Ingest of every real DESI and SDSS file in ../shared/data.
@Suite struct IngestRealDataTests {
    static let healpixCatalog = sharedData("desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz")
    static let tileCatalog = sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz")

    func ingest(_ paths: [String], catalogs: [String] = [], spectypes: Set<String> = ["QSO"],
                into dir: String = temporaryDirectory(), force: Bool = false) async throws -> (ProjectStore, IngestSummary) {
        try await ingestForTest(paths, catalogs: catalogs, spectypes: spectypes, into: dir, force: force)
    }

    @Test func twelveDESIQuasarsFromTileAndHealpixWithCatalogRedshifts() async throws {
        let (project, summary) = try await ingest(
            [sharedData("desi/edr-healpix-9144"), sharedData("desi/edr-tile-80693")],
            catalogs: [Self.healpixCatalog, Self.tileCatalog])
        #expect(summary.filesIngested == 3 && summary.filesFailed == 0)
        #expect(summary.spectraIngested == 12)
        let rows = try project.store.spectra()
        #expect(rows.count == 12)
        var catalog = QSOCatalog()
        try catalog.add(path: Self.healpixCatalog)
        try catalog.add(path: Self.tileCatalog)
        for r in rows {
            let entry = try #require(catalog[r.targetid], "TARGETID \(r.targetid) not in the catalogs")
            #expect(r.z == entry.z)
            #expect(r.zSource == "catalog")
            #expect(r.targetid > 1 << 53)
            #expect(r.ra != nil && r.dec != nil)
            #expect(r.snr > 0 && r.amplitude > 0 && r.nbins > 500)
        }
        let zs = rows.map(\.z).sorted()
        #expect(abs(zs.first! - 1.937) < 0.01 && abs(zs.last! - 4.274) < 0.01)
        // The cache: one row per spectrum, NumPy-readable float32 [12, 3276].
        let (flux, shape) = try NPYFile.readDoubles(project.fluxPath(shard: "main"))
        #expect(shape == [12, RestGrid.standard.count])
        #expect(flux.allSatisfy { $0.isFinite })
    }

    @Test func fastspecfitCoaddRedrockPairsSelectByRedrock() async throws {
        // Two real galaxies: nothing is a quasar by default, both with --spectype GALAXY.
        let (_, none) = try await ingest([sharedData("desi/fastspecfit")])
        #expect(none.spectraIngested == 0 && none.rowsNotSelected == 2 && none.filesFailed == 0)
        let (project, summary) = try await ingest([sharedData("desi/fastspecfit")], spectypes: ["GALAXY"])
        #expect(summary.spectraIngested == 2)
        let zs = try project.store.spectra().map(\.z).sorted()
        #expect(abs(zs[0] - 0.007) < 0.005 && abs(zs[1] - 0.369) < 0.005)
        #expect(try project.store.spectra().allSatisfy { $0.zSource == "redrock" && $0.spectype == "GALAXY" && $0.zwarn == 0 })
    }

    @Test func skyFibersAndNegativeTargetIDsAreNeverIngested() async throws {
        // The specutils files have no redrock file: give a catalog naming every
        // FIBERMAP TARGETID, negative ones included.
        let dir = temporaryDirectory()
        var ids: [Int64] = []
        for name in ["coadd-5-169-thru20210419.fits", "coadd-sv3-dark-26065.fits"] {
            ids += try DESICoaddFile(path: sharedData("desi/specutils/\(name)")).targetIDs
        }
        #expect(ids.contains { $0 < 0 })
        let catalogPath = dir + "/catalog.fits"
        let f = try FITSFile.create(catalogPath)
        try f.createTable(name: "QSO_CAT", columns: [.of("TARGETID", Int64.self), .of("Z", Double.self)], rows: ids.count)
        try f.writeColumn("TARGETID", ids)
        try f.writeColumn("Z", [Double](repeating: 0.8, count: ids.count))
        try f.close()
        let (project, summary) = try await ingest([sharedData("desi/specutils")], catalogs: [catalogPath], into: dir + "/store")
        #expect(summary.filesFailed == 0)
        let stored = try project.store.spectra().map(\.targetid)
        #expect(stored.allSatisfy { $0 >= 0 })
        #expect(stored.count + summary.rowsSkipped + summary.rowsNotSelected == ids.count)
        #expect(summary.rowsNotSelected == ids.filter { $0 < 0 }.count)
    }

    @Test func perExposureSpectraFilesWithCompressedMaskHDUs() async throws {
        let path = sharedData("desi/specutils/spectra-5-169-thru20210419.fits")
        let coadd = try DESICoaddFile(path: path)
        let arms = try coadd.readArms(rows: [0])
        #expect(arms[0].count == 3 && arms[0][0].mask.count == 2751)
    }

    @Test func sdssSpectraSelectQuasarsByClassAndZwarning() async throws {
        let folder = sharedData("sdss/picca/3655")
        let files = try InputDiscovery.files(in: [folder])
        let (project, summary) = try await ingest([folder])
        var expected = 0
        for f in files {
            let s = try SDSSSpecFile(path: f)
            if s.classification == "QSO" && s.zwarning == 0 && s.z > 0 { expected += 1 }
        }
        #expect(summary.filesFailed == 0)
        #expect(summary.spectraIngested + summary.rowsSkipped == expected)
        #expect(summary.spectraIngested > 0)
        for r in try project.store.spectra() {
            #expect(r.survey == "SDSS" && r.zSource == "sdss" && r.spectype == "QSO")
        }
    }

    @Test func theQuasarSDSSCalledAStarIsOnlyIngestedAsAStar() async throws {
        // 9367-57758-0500 is a z = 2.71 quasar that the eBOSS pipeline classed STAR.
        let path = sharedData("sdss/picca/9367/spec-9367-57758-0500.fits")
        let (_, asQSO) = try await ingest([path])
        #expect(asQSO.spectraIngested == 0 && asQSO.rowsNotSelected == 1)
        // As a star it is selected, but its stellar z (−0.0001) is not a positive
        // redshift: the row is skipped with a message naming file, column and row.
        let (_, asStar) = try await ingest([path], spectypes: ["STAR"])
        #expect(asStar.spectraIngested == 0 && asStar.rowsSkipped == 1)
        #expect(asStar.problems.first?.problem.description.contains("spec-9367-57758-0500.fits HDU COADD column Z row 0") == true)
    }

    @Test func malformedAndTruncatedFilesFailAloneAndLoseNothing() async throws {
        let dir = temporaryDirectory()
        let (project, first) = try await ingest([sharedData("desi/edr-healpix-9144")], catalogs: [Self.healpixCatalog],
                                                into: dir)
        #expect(first.spectraIngested == 2)
        let before = try project.store.spectra()

        let truncated = temporaryDirectory() + "/coadd-main-dark-9145.fits"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sharedData("desi/edr-tile-80693/coadd-2-80693-thru20210204.fits")))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let (_, second) = try await ingest([sharedData("desi/catalogs/bad_format_spectra-main-dark-9144.fits"), truncated,
                                            sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits")],
                                           catalogs: [Self.tileCatalog], into: dir)
        #expect(second.filesFailed == 2)
        #expect(second.spectraIngested == 5)
        let messages = second.problems.map { $0.problem.description }
        #expect(messages.contains { $0.contains("bad_format_spectra-main-dark-9144.fits HDU B_WAVELENGTH") })
        #expect(messages.contains { $0.contains("coadd-main-dark-9145.fits") })
        let after = try project.store.spectra()
        for r in before { #expect(after.contains(r)) }
        #expect(after.count == 7)
        let failures = try project.store.problems().filter { $0.severity == .file }
        #expect(failures.count == 2)
    }

    @Test func reRunningAddsNothingAndDuplicatesAcrossFilesAreSkipped() async throws {
        let dir = temporaryDirectory()
        let inputs = [sharedData("desi/edr-tile-80693")]
        let (project, first) = try await ingest(inputs, catalogs: [Self.tileCatalog], into: dir)
        #expect(first.spectraIngested == 10)
        let (_, again) = try await ingest(inputs, catalogs: [Self.tileCatalog], into: dir)
        #expect(again.spectraIngested == 0 && again.filesAlreadyDone == 2 && again.filesIngested == 0)
        #expect(try project.store.spectrumCount() == 10)
        #expect(try NPYFile.readDoubles(project.fluxPath(shard: "main")).shape == [10, RestGrid.standard.count])

        // The same spectra under another file name: every TARGETID is a duplicate.
        let copy = temporaryDirectory() + "/coadd-9-80693-thru20210204.fits"
        try FileManager.default.copyItem(atPath: sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits"), toPath: copy)
        let (_, dup) = try await ingest([copy], catalogs: [Self.tileCatalog], into: dir)
        #expect(dup.spectraIngested == 0 && dup.rowsSkipped == 5)
        #expect(dup.problems.allSatisfy { $0.problem.message.contains("already stored from") && $0.problem.message.contains("coadd-1-80693") })
        #expect(try project.store.spectrumCount() == 10)

        // --force redoes files without duplicating them.
        let (_, forced) = try await ingest(inputs, catalogs: [Self.tileCatalog], into: dir, force: true)
        #expect(forced.spectraIngested == 10)
        #expect(try project.store.spectrumCount() == 10)
    }
}
