import Foundation
import QADCore
import QADDetect
import QADFormats

/// Reads stored epochs' spectra from the files they were ingested from,
/// keeping each DESI coadd open and reading all the rows asked of it at once.
public final class StoredEpochReader {
    public init() {}

    private var coadds: [String: DESICoaddFile] = [:]

    /// The epochs' spectra, in order, each with the redshift it was ingested
    /// with and its inverse variance divided by the noise scale² ingest
    /// measured (as the cache's weights are: docs/preprocessing.md §5), so a
    /// spectrum whose pixels scatter more than its IVAR claims does not look variable.
    public func read(_ epochs: [EpochRecord]) throws -> [EpochSpectrum] {
        var out = [EpochSpectrum?](repeating: nil, count: epochs.count)
        var byFile: [String: [Int]] = [:]
        for (k, e) in epochs.enumerated() {
            if e.spectrum.survey == "SDSS" {
                var epoch = EpochSpectrum(try SDSSSpecFile(path: e.spectrum.sourceFile))
                epoch.z = e.spectrum.z
                out[k] = epoch
            } else {
                byFile[e.spectrum.sourceFile, default: []].append(k)
            }
        }
        for (path, members) in byFile.sorted(by: { $0.key < $1.key }) {
            let coadd: DESICoaddFile
            if let open = coadds[path] { coadd = open } else {
                coadd = try DESICoaddFile(path: path)
                coadds[path] = coadd
            }
            for k in members {
                let s = epochs[k].spectrum
                guard s.sourceRow < coadd.targetIDs.count, coadd.targetIDs[s.sourceRow] == s.targetid else {
                    throw LocatedError(file: path, part: "HDU FIBERMAP", column: "TARGETID", row: s.sourceRow,
                                       message: "no longer holds TARGETID \(s.targetid) there (the file changed since it was ingested: run qad ingest again)")
                }
            }
            let arms = try coadd.readArms(rows: members.map { epochs[$0].spectrum.sourceRow })
            for (k, a) in zip(members, arms) {
                let e = epochs[k], s = e.spectrum
                out[k] = EpochSpectrum(name: "\(s.targetid) \(e.visit)", mjd: e.mjd ?? .nan, z: s.z,
                                       classification: s.spectype ?? "", arms: a)
            }
        }
        return zip(epochs, out).map { e, spectrum in
            var epoch = spectrum!
            let scale = max(1, e.spectrum.noiseScale)
            if scale > 1 { epoch.ivar = epoch.ivar.map { $0 / (scale * scale) } }
            return epoch
        }
    }
}
