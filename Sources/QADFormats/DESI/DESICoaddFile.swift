import QADCore

/// A DESI coadd (or per-exposure `spectra-`) file: FIBERMAP plus B/R/Z
/// WAVELENGTH, FLUX, IVAR, MASK image HDUs. RESOLUTION HDUs are never read.
public final class DESICoaddFile {
    public static let arms = ["B", "R", "Z"]

    public let path: String
    private let fits: FITSFile
    /// FIBERMAP TARGETIDs in row order.
    public let targetIDs: [TargetID]
    /// TARGET_RA/TARGET_DEC when the FIBERMAP has them.
    public let ra: [Double]?
    public let dec: [Double]?
    public let wavelengths: [String: [Double]]
    /// Primary-header keywords describing the file (SURVEY, PROGRAM, HPXPIXEL).
    public let survey: String?
    public let program: String?
    /// FIBERMAP MIN_MJD/MAX_MJD (the exposures a coadd row spans), when present.
    public let minMJD: [Double]?
    public let maxMJD: [Double]?

    public init(path: String) throws {
        self.path = path
        fits = try FITSFile.open(path)
        survey = try fits.stringKey("SURVEY")
        program = try fits.stringKey("PROGRAM")
        try fits.moveTo(hdu: "FIBERMAP")
        targetIDs = try fits.readColumn("TARGETID", as: Int64.self)
        if fits.hasColumn("TARGET_RA"), fits.hasColumn("TARGET_DEC") {
            ra = try fits.readColumn("TARGET_RA", as: Double.self)
            dec = try fits.readColumn("TARGET_DEC", as: Double.self)
        } else {
            ra = nil
            dec = nil
        }
        if fits.hasColumn("MIN_MJD"), fits.hasColumn("MAX_MJD") {
            minMJD = try fits.readColumn("MIN_MJD", as: Double.self)
            maxMJD = try fits.readColumn("MAX_MJD", as: Double.self)
        } else if fits.hasColumn("MEAN_MJD") {
            minMJD = try fits.readColumn("MEAN_MJD", as: Double.self)
            maxMJD = minMJD
        } else {
            minMJD = nil
            maxMJD = nil
        }
        var waves: [String: [Double]] = [:]
        for arm in Self.arms {
            try fits.moveTo(hdu: "\(arm)_WAVELENGTH")
            let w = try fits.readImage(Double.self)
            guard !w.isEmpty else { throw fits.fail("empty wavelength array") }
            guard w.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw fits.fail("non-finite or non-positive wavelengths")
            }
            waves[arm] = w
            // Every per-spectrum image must be [nspec, nwave] matching FIBERMAP and wavelength.
            for kind in ["FLUX", "IVAR", "MASK"] {
                try fits.moveTo(hdu: "\(arm)_\(kind)")
                let shape = try fits.imageShape()
                guard shape.count == 2, shape[0] == targetIDs.count, shape[1] == w.count else {
                    throw fits.fail("image shape \(shape) does not match \(targetIDs.count) FIBERMAP rows × \(w.count) wavelengths")
                }
            }
        }
        wavelengths = waves
    }

    /// Reads the arms of the given FIBERMAP rows (0-based), one HDU at a time,
    /// so only selected rows are read and each HDU is visited once.
    public func readArms(rows: [Int]) throws -> [[ArmSpectrum]] {
        var result = rows.map { _ in [ArmSpectrum]() }
        guard !rows.isEmpty else { return result }
        for arm in Self.arms {
            let w = wavelengths[arm]!
            let width = w.count
            try fits.moveTo(hdu: "\(arm)_FLUX")
            let flux: [[Float]] = try fits.readImageRows(rows, width: width)
            try fits.moveTo(hdu: "\(arm)_IVAR")
            let ivar: [[Float]] = try fits.readImageRows(rows, width: width)
            // MASK is uint32 stored as int32 with BZERO 2^31 in many files (or plain
            // int32, or tile-compressed): Int64 holds all without overflow.
            try fits.moveTo(hdu: "\(arm)_MASK")
            let mask = try fits.readIntegerImageRows(rows, width: width, bitpix: try fits.imageEquivalentBitpix())
            for i in rows.indices {
                result[i].append(ArmSpectrum(name: arm, wavelength: w, flux: flux[i], ivar: ivar[i], mask: mask[i]))
            }
        }
        return result
    }

    /// Raw layout of one image HDU (see `FITSFile.rawImageLayout`).
    func rawLayout(hdu: String) throws -> FITSRawImageLayout? {
        try fits.moveTo(hdu: hdu)
        return try fits.rawImageLayout()
    }
}
