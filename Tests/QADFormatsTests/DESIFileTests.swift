import Foundation
import QADTestSupport
import Testing
@testable import QADFormats
import QADCore

@Suite struct DESIFileTests {
    @Test func healpixCoaddReadsTargetsAndSelectedRows() throws {
        let coadd = try DESICoaddFile(path: sharedData("desi/edr-healpix-9144/coadd-main-dark-9144.fits"))
        #expect(coadd.targetIDs == [39_632_936_152_072_660, 39_632_936_152_073_654])
        #expect(coadd.ra == nil)  // this FIBERMAP was cut down to TARGETID only
        #expect(coadd.wavelengths["B"]?.count == 2751)
        #expect(coadd.wavelengths["R"]?.count == 2326)
        #expect(coadd.wavelengths["Z"]?.count == 2881)
        #expect(coadd.wavelengths["B"]?.first == 3600.0)
        let arms = try coadd.readArms(rows: [1])
        #expect(arms.count == 1 && arms[0].map(\.name) == ["B", "R", "Z"])
        #expect(arms[0][1].flux.count == 2326 && arms[0][1].mask.count == 2326)
        // Row 1 of R_FLUX equals the second half of the full image.
        let f = try FITSFile.open(coadd.path)
        try f.moveTo(hdu: "R_FLUX")
        let all = try f.readImage(Float.self)
        #expect(Array(all[2326...]) == arms[0][1].flux)
    }

    @Test func rowsReadInSpansEqualRowsReadOneByOne() throws {
        let f = try FITSFile.open(sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits"))
        try f.moveTo(hdu: "Z_FLUX")
        let width = try f.imageShape()[1]
        let rows = [4, 0, 2, 3]
        for span in [1, 2, 64] {
            let spans: [[Float]] = try f.readImageRows(rows, width: width, maxSpan: span)
            for (i, r) in rows.enumerated() {
                var one = [Float](repeating: 0, count: width)
                try one.withUnsafeMutableBufferPointer { try f.readImageRow(r, width: width, into: $0) }
                #expect(spans[i] == one)
            }
        }
        try f.moveTo(hdu: "Z_MASK")
        let masks = try f.readIntegerImageRows([3, 1], width: width, bitpix: try f.imageEquivalentBitpix())
        #expect(masks.count == 2 && masks[0].count == width)
    }

    @Test func tileCoaddHasPositions() throws {
        let coadd = try DESICoaddFile(path: sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits"))
        #expect(coadd.targetIDs.first == 39_633_559_463_397_282)
        #expect(abs((coadd.ra?.first ?? 0) - 127.62680623) < 1e-6)
    }

    @Test func malformedRealFileNamesTheMissingHDU() throws {
        let path = sharedData("desi/catalogs/bad_format_spectra-main-dark-9144.fits")
        let error = #expect(throws: FITSError.self) { _ = try DESICoaddFile(path: path) }
        #expect(error?.hdu == "B_WAVELENGTH")
        #expect(error?.description.contains("bad_format_spectra-main-dark-9144.fits") == true)
    }

    @Test func redrockTableAndCompanionLookup() throws {
        let coadd = sharedData("desi/fastspecfit/coadd-4-80613-thru20210324.fits")
        let rr = try #require(RedrockFile.companion(ofCoadd: coadd))
        #expect(rr.hasSuffix("redrock-4-80613-thru20210324.fits"))
        let (rows, problems) = try RedrockFile.read(rr)
        #expect(problems.isEmpty)
        #expect(rows.count == 1)
        let row = try #require(rows.values.first)
        #expect(row.spectype == "GALAXY")
        #expect(abs(row.z - 0.369) < 0.01)
    }

    @Test func gzippedQSOCatalogsAndBALColumns() throws {
        var catalog = QSOCatalog()
        try catalog.add(path: sharedData("desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz"))
        #expect(catalog.count == 175)
        #expect(abs((catalog[39_632_936_152_072_660]?.z ?? 0) - 1.9374298822014064) < 1e-12)
        try catalog.add(path: sharedData("desi/catalogs/baltestcat.fits.gz"))
        let bal = try #require(catalog[10000])
        #expect(bal.balProb != nil && bal.biCIV != nil && bal.aiCIV != nil)
    }

    @Test func sdssSpecFileWithUnnamedHDUs() throws {
        let spec = try SDSSSpecFile(path: sharedData("sdss/picca/3655/spec-3655-55240-0002.fits"))
        #expect(spec.plate == 3655 && spec.mjd == 55240 && spec.fiber == 2)
        #expect(spec.targetID == (1 << 62) | (3655 << 24) | (2 << 14) | 5240)
        #expect(sdssPlateMJDFiber(spec.targetID)! == (3655, 55240, 2))
        // eBOSS plates above 8192 stay positive and decodable.
        let eboss = try SDSSSpecFile(path: sharedData("sdss/picca/10656/spec-10656-58163-0366.fits"))
        #expect(eboss.targetID > 0 && sdssPlateMJDFiber(eboss.targetID)! == (10656, 58163, 366))
        #expect(spec.arm.wavelength.count == 4622)
        #expect(spec.arm.wavelength[0] > 3500 && spec.arm.wavelength[0] < 3700)
    }
}
