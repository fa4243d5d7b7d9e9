import Foundation
import QADCore

/// An SDSS/BOSS/eBOSS `spec-PLATE-MJD-FIBER.fits`: HDU 1 holds the coadded
/// spectrum (loglam, flux, ivar, and_mask), HDU 2 the pipeline's
/// classification (CLASS, Z, ZWARNING, PLUG_RA, PLUG_DEC). Some files leave
/// these HDUs unnamed, so they are found by position.
public struct SDSSSpecFile: Sendable {
    public var path: String
    public var targetID: TargetID
    public var plate: Int
    public var mjd: Int
    public var fiber: Int
    public var classification: String
    public var z: Double
    public var zwarning: Int64
    public var ra: Double
    public var dec: Double
    public var arm: ArmSpectrum

    public static func isSDSSName(_ path: String) -> Bool {
        URL(fileURLWithPath: path).lastPathComponent.hasPrefix("spec-")
    }

    public init(path: String) throws {
        self.path = path
        let fits = try FITSFile.open(path)
        guard fits.hduCount >= 3 else {
            throw FITSError(file: path, message: "expected a coadd table in HDU 1 and SPECOBJ in HDU 2, file has \(fits.hduCount) HDUs")
        }
        try fits.moveTo(index: 2)
        func int(_ name: String) throws -> Int { Int(try fits.readColumn(name, as: Int64.self, count: 1)[0]) }
        plate = try int("PLATE")
        mjd = try int("MJD")
        fiber = try int("FIBERID")
        classification = try fits.readStrings("CLASS", count: 1)[0].uppercased()
        z = try fits.readColumn("Z", as: Double.self, count: 1)[0]
        zwarning = try fits.readColumn("ZWARNING", as: Int64.self, count: 1)[0]
        ra = fits.hasColumn("PLUG_RA") ? try fits.readColumn("PLUG_RA", as: Double.self, count: 1)[0] : .nan
        dec = fits.hasColumn("PLUG_DEC") ? try fits.readColumn("PLUG_DEC", as: Double.self, count: 1)[0] : .nan
        guard (1..<32768).contains(plate), (1..<1024).contains(fiber), (50000..<66384).contains(mjd) else {
            throw FITSError(file: path, hdu: "#2", message: "PLATE \(plate), MJD \(mjd), FIBERID \(fiber) out of the range qad ids encode")
        }
        targetID = sdssSpectrumID(plate: plate, mjd: mjd, fiber: fiber)

        try fits.moveTo(index: 1)
        let loglam = try fits.readColumn("LOGLAM", as: Double.self)
        let flux = try fits.readColumn("FLUX", as: Float.self)
        let ivar = try fits.readColumn("IVAR", as: Float.self)
        let mask = try fits.readColumn("AND_MASK", as: Int64.self)
        guard flux.count == loglam.count, ivar.count == loglam.count, mask.count == loglam.count else {
            throw fits.fail("LOGLAM, FLUX, IVAR and AND_MASK have different lengths")
        }
        arm = ArmSpectrum(name: "COADD", wavelength: loglam.map { pow(10, $0) }, flux: flux, ivar: ivar, mask: mask)
    }
}
