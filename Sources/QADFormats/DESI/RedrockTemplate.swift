import Foundation
import QADCore

/// A redrock template file (`rrtemplate-TYPE-SUBTYPE-vX.fits`): basis spectra
/// on a rest-frame wavelength grid, linear or log10 (LOGLAM = 1).
public struct RedrockTemplate: Sendable {
    public var path: String
    public var spectype: String
    public var subtype: String
    public var version: String
    /// Rest-frame wavelengths (Å), increasing.
    public var restWavelength: [Double]
    /// One basis spectrum per coefficient, each on `restWavelength`.
    public var basis: [[Double]]

    public static func read(_ path: String) throws -> RedrockTemplate {
        let fits = try FITSFile.open(path)
        try fits.moveTo(index: 0)
        if try fits.currentKind() != .image || (try fits.imageShape()).count != 2 {
            if fits.hasHDU("BASIS_VECTORS") { try fits.moveTo(hdu: "BASIS_VECTORS") }
        }
        let shape = try fits.imageShape()
        guard shape.count == 2, shape[0] > 0, shape[1] > 1 else { throw fits.fail("BASIS_VECTORS is not a [nbasis, nwave] image") }
        guard let crval = try fits.doubleKey("CRVAL1"), let cdelt = try fits.doubleKey("CDELT1") else {
            throw fits.fail("no CRVAL1/CDELT1: the wavelength grid is not described")
        }
        let crpix = try fits.doubleKey("CRPIX1") ?? 1
        let logLambda = (try fits.intKey("LOGLAM") ?? 0) != 0
        let values: [Double] = try fits.readImage()
        let n = shape[1]
        let wavelength = (0..<n).map { i -> Double in
            let v = crval + cdelt * (Double(i + 1) - crpix)
            return logLambda ? pow(10, v) : v
        }
        return RedrockTemplate(
            path: path, spectype: (try fits.stringKey("RRTYPE") ?? "").uppercased(),
            subtype: (try fits.stringKey("RRSUBTYP") ?? "").uppercased(), version: try fits.stringKey("VERSION") ?? "",
            restWavelength: wavelength, basis: (0..<shape[0]).map { Array(values[($0 * n)..<(($0 + 1) * n)]) })
    }
}

/// What redrock fitted to one target: its best redshift, class and the
/// template coefficients (REDSHIFTS COEFF).
public struct RedrockFit: Sendable, Equatable {
    public var targetid: TargetID
    public var z: Double
    public var spectype: String
    public var subtype: String
    public var coefficients: [Double]

    public init(targetid: TargetID, z: Double, spectype: String, subtype: String, coefficients: [Double]) {
        self.targetid = targetid
        self.z = z
        self.spectype = spectype
        self.subtype = subtype
        self.coefficients = coefficients
    }
}

extension RedrockFile {
    /// The fit of one target, or nil when the file has no row for it. A file
    /// without COEFF (older zbest files) is an error naming it.
    public static func fit(_ path: String, targetid: TargetID) throws -> RedrockFit? {
        let fits = try FITSFile.open(path)
        if fits.hasHDU("REDSHIFTS") { try fits.moveTo(hdu: "REDSHIFTS") } else { try fits.moveTo(hdu: "ZBEST") }
        guard fits.hasColumn("COEFF") else { throw fits.fail("no COEFF column: this redrock file does not carry its coefficients") }
        let ids = try fits.readColumn("TARGETID", as: Int64.self)
        guard let row = ids.firstIndex(of: targetid) else { return nil }
        let z = try fits.readColumn("Z", as: Double.self, firstRow: row, count: 1)[0]
        let spectype = try fits.readStrings("SPECTYPE", firstRow: row, count: 1)[0]
        let subtype = fits.hasColumn("SUBTYPE") ? try fits.readStrings("SUBTYPE", firstRow: row, count: 1)[0] : ""
        let coeff = try fits.readColumn("COEFF", as: Double.self, firstRow: row, count: 1)
        return RedrockFit(targetid: targetid, z: z, spectype: spectype.uppercased(),
                          subtype: subtype.uppercased(), coefficients: coeff)
    }
}
