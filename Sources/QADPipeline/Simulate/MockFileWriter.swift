import Foundation
import QADCore
import QADFormats
import QADSpectra

/// Pixels of the spectra of one file, rows of `DESIInstrument.totalArmPixels`
/// (B, R, Z concatenated).
struct SimFilePixels {
    var flux: [Float]
    var ivar: [Float]
    var mask: [Int32]
    let width = DESIInstrument.totalArmPixels

    init(rows: Int) {
        flux = [Float](repeating: 0, count: rows * DESIInstrument.totalArmPixels)
        ivar = flux
        mask = [Int32](repeating: 0, count: rows * DESIInstrument.totalArmPixels)
    }

    mutating func store(_ o: DESIInstrument.Observation, row: Int) {
        let base = row * width
        for k in 0..<width {
            flux[base + k] = o.flux[k]
            ivar[base + k] = o.ivar[k]
            mask[base + k] = o.mask[k]
        }
    }
}

/// Writes the DESI file layouts: healpix coadd and redrock files, the QSO
/// catalog, and the truth table.
enum MockFileWriter {
    static let fluxUnit = "10**-17 erg/(s cm2 Angstrom)"
    static let ivarUnit = "10**+34 (s2 cm4 Angstrom2) / erg2"

    static func writeHealpixKeywords(_ f: FITSFile, healpix: Int, seed: UInt64, survey: String = "main") throws {
        try f.writeKey("SPGRP", "healpix")
        try f.writeKey("SPGRPVAL", Int64(healpix))
        try f.writeKey("HPXPIXEL", Int64(healpix))
        try f.writeKey("HPXNSIDE", Int64(SkyLayout.nside))
        try f.writeKey("HPXNEST", true)
        try f.writeKey("SURVEY", survey)
        try f.writeKey("PROGRAM", "dark")
        try f.writeKey("SPECPROD", "qadsim", comment: "simulated by qad simulate")
        try f.writeKey("QADSEED", Int64(bitPattern: seed), comment: "qad simulate seed")
    }

    /// `coadd-main-dark-<hpx>.fits`: FIBERMAP and per-arm WAVELENGTH, FLUX,
    /// IVAR, MASK, image rows streamed from `pixels`.
    static func writeCoadd(path: String, healpix: Int, seed: UInt64, targets: [SimulatedTarget],
                           pixels: SimFilePixels, survey: String = "main") throws {
        let f = try FITSFile.create(path)
        try writeHealpixKeywords(f, healpix: healpix, seed: seed, survey: survey)
        try writeFibermap(f, targets)
        let rows = targets.count
        var armBase = 0
        for arm in DESIInstrument.arms {
            try f.writeImage(name: "\(arm.name)_WAVELENGTH", shape: [arm.count], data: arm.wavelengths)
            try f.writeKey("BUNIT", "Angstrom")
            let base = armBase
            try f.writeImageRows(name: "\(arm.name)_FLUX", rows: rows, width: arm.count) { (r, buf: UnsafeMutableBufferPointer<Float>) in
                let start = r * pixels.width + base
                for i in 0..<arm.count { buf[i] = pixels.flux[start + i] }
            }
            try f.writeKey("BUNIT", fluxUnit)
            try f.writeImageRows(name: "\(arm.name)_IVAR", rows: rows, width: arm.count) { (r, buf: UnsafeMutableBufferPointer<Float>) in
                let start = r * pixels.width + base
                for i in 0..<arm.count { buf[i] = pixels.ivar[start + i] }
            }
            try f.writeKey("BUNIT", ivarUnit)
            try f.writeImageRows(name: "\(arm.name)_MASK", rows: rows, width: arm.count) { (r, buf: UnsafeMutableBufferPointer<Int32>) in
                let start = r * pixels.width + base
                for i in 0..<arm.count { buf[i] = pixels.mask[start + i] }
            }
            armBase += arm.count
        }
        try f.close()
    }

    /// `redrock-main-dark-<hpx>.fits`: REDSHIFTS then FIBERMAP, as redrock writes it.
    static func writeRedrock(path: String, healpix: Int, seed: UInt64, targets: [SimulatedTarget],
                             survey: String = "main") throws {
        let f = try FITSFile.create(path)
        try writeHealpixKeywords(f, healpix: healpix, seed: seed, survey: survey)
        try f.writeKey("RRVER", "0.20.2", comment: "Redrock version (simulated)")
        let n = targets.count
        try f.createTable(name: "REDSHIFTS", columns: [
            .of("TARGETID", Int64.self), .of("Z", Double.self), .of("ZERR", Double.self),
            .of("ZWARN", Int64.self), .of("CHI2", Double.self), .of("COEFF", Double.self, repeat: 10),
            FITSColumnSpec(name: "FITMETHOD", kind: .string(width: 4)),
            .of("NPIXELS", Int64.self),
            FITSColumnSpec(name: "SPECTYPE", kind: .string(width: 6)),
            FITSColumnSpec(name: "SUBTYPE", kind: .string(width: 20)),
            .of("NCOEFF", Int64.self), .of("DELTACHI2", Double.self),
        ], rows: n)
        let rr = targets.map(\.redrock)
        try f.writeColumn("TARGETID", targets.map(\.targetID))
        try f.writeColumn("Z", rr.map(\.z))
        try f.writeColumn("ZERR", rr.map(\.zerr))
        try f.writeColumn("ZWARN", rr.map(\.zwarn))
        try f.writeColumn("CHI2", rr.map(\.chi2))
        try f.writeColumn("COEFF", rr.flatMap(\.coeff))
        try f.writeStrings("FITMETHOD", [String](repeating: "PCA", count: n))
        try f.writeColumn("NPIXELS", rr.map(\.npixels))
        try f.writeStrings("SPECTYPE", rr.map(\.spectype))
        try f.writeStrings("SUBTYPE", rr.map(\.subtype))
        try f.writeColumn("NCOEFF", rr.map(\.ncoeff))
        try f.writeColumn("DELTACHI2", rr.map(\.deltachi2))
        try writeFibermap(f, targets)
        try f.close()
    }

    /// The FIBERMAP columns of a DR1 healpix coadd that describe the target
    /// (a subset of the 71 real ones, same names, types and order).
    static func writeFibermap(_ f: FITSFile, _ t: [SimulatedTarget]) throws {
        let n = t.count
        try f.createTable(name: "FIBERMAP", columns: [
            .of("TARGETID", Int64.self), .of("COADD_FIBERSTATUS", Int32.self),
            .of("TARGET_RA", Double.self, unit: "deg"), .of("TARGET_DEC", Double.self, unit: "deg"),
            .of("PMRA", Float.self, unit: "mas yr^-1"), .of("PMDEC", Float.self, unit: "mas yr^-1"),
            .of("REF_EPOCH", Float.self, unit: "yr"),
            .of("FA_TARGET", Int64.self), .of("FA_TYPE", UInt8.self),
            FITSColumnSpec(name: "OBJTYPE", kind: .string(width: 3)),
            .of("SUBPRIORITY", Double.self), .of("OBSCONDITIONS", Int32.self),
            .of("RELEASE", Int16.self), FITSColumnSpec(name: "BRICKNAME", kind: .string(width: 8)),
            .of("BRICKID", Int32.self), .of("BRICK_OBJID", Int32.self),
            FITSColumnSpec(name: "MORPHTYPE", kind: .string(width: 4)),
            .of("EBV", Float.self, unit: "mag"),
            .of("FLUX_G", Float.self, unit: "nanomaggy"), .of("FLUX_R", Float.self, unit: "nanomaggy"),
            .of("FLUX_Z", Float.self, unit: "nanomaggy"), .of("FLUX_W1", Float.self, unit: "nanomaggy"),
            .of("FLUX_W2", Float.self, unit: "nanomaggy"),
            .of("FLUX_IVAR_G", Float.self, unit: "nanomaggy^-2"), .of("FLUX_IVAR_R", Float.self, unit: "nanomaggy^-2"),
            .of("FLUX_IVAR_Z", Float.self, unit: "nanomaggy^-2"),
            .of("FIBERFLUX_G", Float.self, unit: "nanomaggy"), .of("FIBERFLUX_R", Float.self, unit: "nanomaggy"),
            .of("FIBERFLUX_Z", Float.self, unit: "nanomaggy"),
            .of("FIBERTOTFLUX_G", Float.self, unit: "nanomaggy"), .of("FIBERTOTFLUX_R", Float.self, unit: "nanomaggy"),
            .of("FIBERTOTFLUX_Z", Float.self, unit: "nanomaggy"),
            FITSColumnSpec(name: "PHOTSYS", kind: .string(width: 1)),
            .of("PRIORITY_INIT", Int64.self), .of("NUMOBS_INIT", Int64.self),
            .of("DESI_TARGET", Int64.self), .of("BGS_TARGET", Int64.self), .of("MWS_TARGET", Int64.self),
            .of("SCND_TARGET", Int64.self),
            .of("PLATE_RA", Double.self, unit: "deg"), .of("PLATE_DEC", Double.self, unit: "deg"),
            .of("COADD_NUMEXP", Int16.self), .of("COADD_EXPTIME", Float.self, unit: "s"),
            .of("COADD_NUMNIGHT", Int16.self), .of("COADD_NUMTILE", Int16.self),
            .of("MEAN_FIBER_RA", Double.self, unit: "deg"), .of("MEAN_FIBER_DEC", Double.self, unit: "deg"),
            .of("MIN_MJD", Double.self, unit: "d"), .of("MAX_MJD", Double.self, unit: "d"),
            .of("MEAN_MJD", Double.self, unit: "d"),
        ], rows: n)
        func fl(_ v: [Double]) -> [Float] { v.map { Float($0) } }
        try f.writeColumn("TARGETID", t.map(\.targetID))
        try f.writeColumn("COADD_FIBERSTATUS", [Int32](repeating: 0, count: n))
        try f.writeColumn("TARGET_RA", t.map(\.ra))
        try f.writeColumn("TARGET_DEC", t.map(\.dec))
        try f.writeColumn("PMRA", fl(t.map(\.pm.ra)))
        try f.writeColumn("PMDEC", fl(t.map(\.pm.dec)))
        try f.writeColumn("REF_EPOCH", t.map { Float($0.target.mockClass == .star ? 2015.5 : 0) })
        try f.writeColumn("FA_TARGET", t.map(\.desiTarget))
        try f.writeColumn("FA_TYPE", [UInt8](repeating: 1, count: n))
        try f.writeStrings("OBJTYPE", [String](repeating: "TGT", count: n))
        try f.writeColumn("SUBPRIORITY", t.map(\.subpriority))
        try f.writeColumn("OBSCONDITIONS", [Int32](repeating: 3, count: n))
        try f.writeColumn("RELEASE", t.map { Int16($0.release) })
        try f.writeStrings("BRICKNAME", t.map(\.brickName))
        try f.writeColumn("BRICKID", t.map { Int32($0.brickID) })
        try f.writeColumn("BRICK_OBJID", t.map { Int32($0.objID) })
        try f.writeStrings("MORPHTYPE", t.map(\.morphType))
        try f.writeColumn("EBV", fl(t.map(\.ebv)))
        try f.writeColumn("FLUX_G", fl(t.map(\.totalFlux.g)))
        try f.writeColumn("FLUX_R", fl(t.map(\.totalFlux.r)))
        try f.writeColumn("FLUX_Z", fl(t.map(\.totalFlux.z)))
        try f.writeColumn("FLUX_W1", fl(t.map(\.totalFlux.w1)))
        try f.writeColumn("FLUX_W2", fl(t.map(\.totalFlux.w2)))
        // Legacy Surveys DR9 5σ point-source depths g 24.5, r 23.9, z 23.0 → σ in nanomaggies.
        func ivar(_ depth: Double) -> Float { Float(1 / pow(pow(10, -0.4 * (depth - 22.5)) / 5, 2)) }
        try f.writeColumn("FLUX_IVAR_G", [Float](repeating: ivar(24.5), count: n))
        try f.writeColumn("FLUX_IVAR_R", [Float](repeating: ivar(23.9), count: n))
        try f.writeColumn("FLUX_IVAR_Z", [Float](repeating: ivar(23.0), count: n))
        try f.writeColumn("FIBERFLUX_G", fl(t.map(\.fiberFlux.g)))
        try f.writeColumn("FIBERFLUX_R", fl(t.map(\.fiberFlux.r)))
        try f.writeColumn("FIBERFLUX_Z", fl(t.map(\.fiberFlux.z)))
        try f.writeColumn("FIBERTOTFLUX_G", fl(t.map(\.fiberFlux.g)))
        try f.writeColumn("FIBERTOTFLUX_R", fl(t.map(\.fiberFlux.r)))
        try f.writeColumn("FIBERTOTFLUX_Z", fl(t.map(\.fiberFlux.z)))
        try f.writeStrings("PHOTSYS", t.map { $0.release == 9011 ? "N" : "S" })
        try f.writeColumn("PRIORITY_INIT", t.map(\.priority))
        try f.writeColumn("NUMOBS_INIT", t.map(\.numObs))
        try f.writeColumn("DESI_TARGET", t.map(\.desiTarget))
        try f.writeColumn("BGS_TARGET", [Int64](repeating: 0, count: n))
        try f.writeColumn("MWS_TARGET", t.map(\.mwsTarget))
        try f.writeColumn("SCND_TARGET", [Int64](repeating: 0, count: n))
        try f.writeColumn("PLATE_RA", t.map(\.ra))
        try f.writeColumn("PLATE_DEC", t.map(\.dec))
        try f.writeColumn("COADD_NUMEXP", t.map { Int16($0.target.exposures) })
        try f.writeColumn("COADD_EXPTIME", t.map { Float($0.exposureTime) })
        try f.writeColumn("COADD_NUMNIGHT", t.map { Int16($0.target.exposures) })
        try f.writeColumn("COADD_NUMTILE", t.map { Int16($0.target.exposures) })
        try f.writeColumn("MEAN_FIBER_RA", t.map { $0.ra + $0.fiberOffset.ra })
        try f.writeColumn("MEAN_FIBER_DEC", t.map { $0.dec + $0.fiberOffset.dec })
        try f.writeColumn("MIN_MJD", t.map(\.mjd.min))
        try f.writeColumn("MAX_MJD", t.map(\.mjd.max))
        try f.writeColumn("MEAN_MJD", t.map(\.mjd.mean))
    }

    /// `QSO_cat_sim.fits`, HDU QSO_CAT: the quasars, with the catalog
    /// redshift and the BAL columns of the DESI QSO catalogs.
    static func writeQSOCatalog(path: String, seed: UInt64, quasars t: [SimulatedTarget]) throws {
        let f = try FITSFile.create(path)
        try f.writeKey("QADSEED", Int64(bitPattern: seed), comment: "qad simulate seed")
        try f.createTable(name: "QSO_CAT", columns: [
            .of("TARGETID", Int64.self), .of("Z", Double.self),
            .of("TARGET_RA", Double.self, unit: "deg"), .of("TARGET_DEC", Double.self, unit: "deg"),
            FITSColumnSpec(name: "SURVEY", kind: .string(width: 7)),
            FITSColumnSpec(name: "PROGRAM", kind: .string(width: 6)),
            .of("DESI_TARGET", Int64.self), .of("HPXPIXEL", Int64.self),
            .of("BAL_PROB", Float.self), .of("BI_CIV", Float.self, unit: "km/s"),
            .of("AI_CIV", Float.self, unit: "km/s"),
        ], rows: t.count)
        try f.writeColumn("TARGETID", t.map(\.targetID))
        try f.writeColumn("Z", t.map(\.catalogZ))
        try f.writeColumn("TARGET_RA", t.map(\.ra))
        try f.writeColumn("TARGET_DEC", t.map(\.dec))
        try f.writeStrings("SURVEY", [String](repeating: "main", count: t.count))
        try f.writeStrings("PROGRAM", [String](repeating: "dark", count: t.count))
        try f.writeColumn("DESI_TARGET", t.map(\.desiTarget))
        try f.writeColumn("HPXPIXEL", t.map { Int64($0.healpix) })
        try f.writeColumn("BAL_PROB", t.map { Float($0.balProb) })
        try f.writeColumn("BI_CIV", t.map { Float($0.biCIV) })
        try f.writeColumn("AI_CIV", t.map { Float($0.aiCIV) })
        try f.close()
    }

    static let truthHeader = "TARGETID,CLASS,Z_TRUE,ANOMALY,ANOMALY_PARAMS,SNR,SUBTYPE,HPXPIXEL,TARGET_SNR,NUMEXP,"
        + "Z_REDROCK,SPECTYPE_REDROCK,ZWARN,N_LLS,N_DLA,BI_CIV"

    static func truthLine(_ t: SimulatedTarget) -> String {
        let m = t.target
        let lls = m.absorbers.filter { $0.log10Column < 20.3 }.count
        let dla = m.absorbers.count - lls
        return [
            String(t.targetID), m.mockClass.rawValue, String(format: "%.6f", m.redshift),
            m.anomaly?.typeName ?? "", m.anomaly?.parameterDescription ?? "",
            String(format: "%.4f", t.snr), m.subtype, String(t.healpix), String(format: "%.4f", m.targetSNR),
            String(m.exposures), String(format: "%.6f", t.redrock.z), t.redrock.spectype, String(t.redrock.zwarn),
            String(lls), String(dla), String(format: "%.1f", t.biCIV),
        ].joined(separator: ",")
    }
}
