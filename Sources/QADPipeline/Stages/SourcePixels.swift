import Foundation
import QADCore
import QADFormats

/// The original pixels of an ingested spectrum, read back from the file and
/// row the catalog records: a DESI coadd's b/r/z arms, or an SDSS spectrum's
/// single arm. For the review page, which shows them beside the rebinned cache.
public enum SourcePixels {
    public static func arms(of s: SpectrumRecord) throws -> [ArmSpectrum] {
        guard FileManager.default.isReadableFile(atPath: s.sourceFile) else {
            throw LocatedError("\(s.sourceFile): the source file of TARGETID \(s.targetid) is not readable from here")
        }
        switch s.sourceHdu {
        case "FIBERMAP":
            let coadd = try DESICoaddFile(path: s.sourceFile)
            guard s.sourceRow >= 0, s.sourceRow < coadd.targetIDs.count, coadd.targetIDs[s.sourceRow] == s.targetid else {
                throw LocatedError("\(s.sourceFile)[FIBERMAP] row \(s.sourceRow) no longer holds TARGETID \(s.targetid): "
                                   + "the file changed since it was ingested")
            }
            return try coadd.readArms(rows: [s.sourceRow])[0]
        case "COADD":
            let spec = try SDSSSpecFile(path: s.sourceFile)
            guard spec.targetID == s.targetid else {
                throw LocatedError("\(s.sourceFile) holds spectrum \(spec.targetID), not \(s.targetid): the file changed since it was ingested")
            }
            return [spec.arm]
        default:
            throw LocatedError("\(s.sourceFile)[\(s.sourceHdu)]: per-arm pixels are read back from DESI coadd and SDSS spec files only")
        }
    }
}
