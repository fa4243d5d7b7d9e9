import Foundation
import QADCore
import QADFormats
import QADPipeline
import QADTestSupport
import Testing

/// The review page's per-arm pixels come back from the file and row the
/// catalog names, exactly as the coadd holds them; a row that no longer holds
/// the target, or a file that is gone, is an error naming it.
@Suite struct SourcePixelsTests {
    static func record(_ file: String, row: Int, targetid: TargetID, hdu: String = "FIBERMAP") -> SpectrumRecord {
        SpectrumRecord(targetid: targetid, ra: nil, dec: nil, z: 2, zSource: "catalog", spectype: "QSO", zwarn: 0,
                       deltachi2: nil, balProb: nil, biCiv: nil, aiCiv: nil, snr: 5, amplitude: 1, maskFrac: 0,
                       zeroIvarFrac: 0, armStep: 0, nbins: 100, flags: 0, survey: "DESI", sourceFile: file,
                       sourceHdu: hdu, sourceRow: row, cacheShard: "", cacheRow: 0)
    }

    @Test func aDESICoaddRowComesBackArmByArm() throws {
        let path = sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits")
        let coadd = try DESICoaddFile(path: path)
        let row = coadd.targetIDs.count - 1
        let expected = try coadd.readArms(rows: [row])[0]
        let arms = try SourcePixels.arms(of: Self.record(path, row: row, targetid: coadd.targetIDs[row]))
        #expect(arms.map(\.name) == ["B", "R", "Z"])
        for (a, e) in zip(arms, expected) {
            #expect(a.wavelength == e.wavelength && a.flux == e.flux && a.ivar == e.ivar && a.mask == e.mask)
            #expect(a.flux.count > 2000)
        }
        #expect(throws: LocatedError.self) {
            try SourcePixels.arms(of: Self.record(path, row: row, targetid: coadd.targetIDs[row] + 1))
        }
        #expect(throws: LocatedError.self) { try SourcePixels.arms(of: Self.record(path + ".gone", row: 0, targetid: 1)) }
        #expect(throws: LocatedError.self) { try SourcePixels.arms(of: Self.record(path, row: 0, targetid: 1, hdu: "ARD")) }
    }
}
