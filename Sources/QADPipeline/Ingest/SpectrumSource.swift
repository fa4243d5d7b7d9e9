import Foundation
import QADCore
import QADFormats
import QADSpectra

/// Which rows become part of the sample (docs/preprocessing.md §1).
public struct SampleSelection: Sendable {
    /// When non-empty, the catalog defines the sample and supplies z.
    public var catalog: QSOCatalog
    /// Without a catalog: accepted redrock SPECTYPEs (SDSS CLASS), upper-case.
    public var spectypes: Set<String>
    /// Without a catalog: accept any ZWARN (default: ZWARN == 0 only).
    public var anyZwarn: Bool

    public init(catalog: QSOCatalog = QSOCatalog(), spectypes: Set<String> = ["QSO"], anyZwarn: Bool = false) {
        self.catalog = catalog
        self.spectypes = Set(spectypes.map { $0.uppercased() })
        self.anyZwarn = anyZwarn
    }

    /// Why a target is in the sample, and with which z.
    public enum Membership: Sendable {
        /// The catalog lists it: its z and BAL columns are used, whatever the pipeline said.
        case catalog(QSOCatalogEntry)
        /// No catalog was given and the pipeline's class and warning bits accept it.
        case pipeline(z: Double)

        public var z: Double {
            switch self {
            case .catalog(let e): return e.z
            case .pipeline(let z): return z
            }
        }
    }

    /// The one rule for which spectra are quasars, for every survey layout and
    /// for `qad inject`: with a catalog, exactly its targets; without, the
    /// pipeline's SPECTYPE (SDSS CLASS) in `spectypes` and ZWARN == 0 unless
    /// `anyZwarn`. nil: not in the sample.
    public func membership(of id: TargetID, spectype: String?, zwarn: Int64?, pipelineZ: Double?) -> Membership? {
        if !catalog.isEmpty { return catalog[id].map { .catalog($0) } }
        guard let spectype, spectypes.contains(spectype), let pipelineZ,
              anyZwarn || zwarn == 0 else { return nil }
        return .pipeline(z: pipelineZ)
    }
}

/// What reading one input file gave: the selected spectra and the rows that
/// had to be skipped.
public struct SourceRead: Sendable {
    public var spectra: [ObservedSpectrum] = []
    public var skipped: [InputProblem] = []
    public var warnings: [InputProblem] = []
    /// Rows that are simply not in the sample (stars, galaxies, sky fibers).
    public var notSelected = 0
    /// What tells this file's spectra from other spectra of the same TARGETIDs
    /// (`EpochRecord.visit`); a file that names none, like a stored spectrum of
    /// its survey from before epochs were kept.
    public var visit = EpochRecord.visit(survey: "DESI")
    /// The MJDs each source row's exposures span, where the file gives them.
    public var mjd: [Int: ClosedRange<Double>] = [:]
}

/// One survey's file layout. Everything after ingest sees only `ObservedSpectrum`.
public protocol SpectrumSource: Sendable {
    func read(_ path: String, selection: SampleSelection) throws -> SourceRead
}

/// DESI coadd files (healpix or tile), with their redrock file when present.
public struct DESICoaddSource: SpectrumSource {
    public init() {}

    public func read(_ path: String, selection: SampleSelection) throws -> SourceRead {
        let coadd = try DESICoaddFile(path: path)
        var (out, targets) = try select(coadd, path: path, selection: selection)
        out.spectra = try observedSpectra(coadd, targets)
        return out
    }

    /// The selected rows' arms as arrays, read through cfitsio.
    func observedSpectra(_ coadd: DESICoaddFile, _ targets: [Provenance]) throws -> [ObservedSpectrum] {
        let arms = try coadd.readArms(rows: targets.map(\.sourceRow))
        return targets.enumerated().map { i, t in
            ObservedSpectrum(info: t.info, arms: arms[i], survey: t.survey, sourceFile: t.sourceFile,
                             sourceHDU: t.sourceHDU, sourceRow: t.sourceRow)
        }
    }

    /// The selected rows of the coadd (in row order) and what they are, plus the
    /// rows skipped or not in the sample; `spectra` is left empty.
    func select(_ coadd: DESICoaddFile, path: String, selection: SampleSelection) throws -> (SourceRead, [Provenance]) {
        var out = SourceRead()
        out.visit = Self.visit(survey: coadd.survey, program: coadd.program, path: path)
        var redrock: [TargetID: RedrockRow] = [:]
        if let rrPath = RedrockFile.companion(ofCoadd: path) {
            let (rows, problems) = try RedrockFile.read(rrPath)
            redrock = rows
            out.warnings += problems
        } else if selection.catalog.isEmpty {
            throw InputProblem(file: path, message: "no redrock-*/zbest-* file beside it and no --qso-catalog: cannot select quasars")
        }

        var targets: [Provenance] = []
        var seen = Set<TargetID>()
        for (row, id) in coadd.targetIDs.enumerated() {
            guard id >= 0 else { out.notSelected += 1; continue }  // unassigned fibers, sky
            let rr = redrock[id]
            var info: TargetInfo
            switch selection.membership(of: id, spectype: rr?.spectype, zwarn: rr?.zwarn, pipelineZ: rr?.z) {
            case nil:
                out.notSelected += 1
                continue
            case .catalog(let entry):
                info = TargetInfo(targetID: id, ra: entry.ra, dec: entry.dec, z: entry.z, zSource: .catalog,
                                  spectype: rr?.spectype, zwarn: rr?.zwarn, deltaChi2: rr?.deltaChi2,
                                  balProb: entry.balProb, biCIV: entry.biCIV, aiCIV: entry.aiCIV)
            case .pipeline(let z):
                info = TargetInfo(targetID: id, z: z, zSource: .redrock, spectype: rr?.spectype,
                                  zwarn: rr?.zwarn, deltaChi2: rr?.deltaChi2)
            }
            if let ra = coadd.ra, let dec = coadd.dec, ra[row].isFinite, dec[row].isFinite {
                info.ra = ra[row]
                info.dec = dec[row]
            }
            guard seen.insert(id).inserted else {
                out.skipped.append(InputProblem(file: path, hdu: "FIBERMAP", column: "TARGETID", row: row,
                                                message: "duplicate TARGETID \(id) within the file; first row kept"))
                continue
            }
            targets.append(Provenance(info: info, survey: "DESI", sourceFile: path, sourceHDU: "FIBERMAP", sourceRow: row))
            if let lo = coadd.minMJD?[row], let hi = coadd.maxMJD?[row], lo.isFinite, hi.isFinite, lo > 0, lo <= hi {
                out.mjd[row] = lo...hi
            }
        }
        return (out, targets)
    }

    /// survey/program from the primary header (SURVEY, PROGRAM), else from a
    /// healpix coadd's name (coadd-SURVEY-PROGRAM-PIXEL.fits), else the tile
    /// and its night group from a tile coadd's (coadd-PETAL-TILE-GROUP.fits:
    /// a target sits on one petal of a tile, so the petal is left out), else
    /// the file's name.
    static func visit(survey: String?, program: String?, path: String) -> String {
        func clean(_ s: String?) -> String? {
            guard let t = s?.trimmingCharacters(in: .whitespaces).lowercased(), !t.isEmpty else { return nil }
            return t
        }
        if let s = clean(survey), let p = clean(program) { return "\(s)/\(p)" }
        let name = (path as NSString).lastPathComponent
        let stem = name.hasSuffix(".fits.gz") ? String(name.dropLast(8)) : (name as NSString).deletingPathExtension
        let parts = stem.split(separator: "-").map(String.init)
        if parts.count == 4, parts[0] == "coadd" {
            if Int(parts[3]) != nil, Int(parts[1]) == nil { return "\(parts[1])/\(parts[2])".lowercased() }
            if Int(parts[1]) != nil, Int(parts[2]) != nil { return "tile \(parts[2]) \(parts[3])" }
        }
        return name
    }
}

/// SDSS/BOSS `spec-PLATE-MJD-FIBER.fits`, one spectrum per file.
public struct SDSSSpecSource: SpectrumSource {
    public init() {}

    public func read(_ path: String, selection: SampleSelection) throws -> SourceRead {
        let spec = try SDSSSpecFile(path: path)
        var out = SourceRead()
        // SDSS files carry no catalog TARGETID: only the pipeline's class decides.
        var pipelineOnly = selection
        pipelineOnly.catalog = QSOCatalog()
        guard pipelineOnly.membership(of: spec.targetID, spectype: spec.classification, zwarn: spec.zwarning,
                                      pipelineZ: spec.z) != nil else {
            out.notSelected = 1
            return out
        }
        let info = TargetInfo(targetID: spec.targetID, ra: spec.ra, dec: spec.dec, z: spec.z, zSource: .sdss,
                              spectype: spec.classification, zwarn: spec.zwarning)
        out.spectra.append(ObservedSpectrum(info: info, arms: [spec.arm], survey: "SDSS",
                                            sourceFile: path, sourceHDU: "COADD", sourceRow: 0))
        out.visit = EpochRecord.sdssVisit
        out.mjd[0] = Double(spec.mjd)...Double(spec.mjd)
        return out
    }
}
