import Foundation
import QADCore

/// One row of a redrock REDSHIFTS (or zbest ZBEST) table.
public struct RedrockRow: Sendable {
    public var z: Double
    public var zwarn: Int64
    public var spectype: String
    public var deltaChi2: Double
    public var row: Int
}

/// redrock/zbest redshift tables, keyed by TARGETID.
public enum RedrockFile {
    /// The redrock file that belongs to a coadd: `coadd-X.fits` →
    /// `redrock-X.fits` (or the older `zbest-X.fits`) in the same folder.
    public static func companion(ofCoadd coaddPath: String) -> String? {
        let url = URL(fileURLWithPath: coaddPath)
        let name = url.lastPathComponent
        guard name.hasPrefix("coadd-") else { return nil }
        let rest = name.dropFirst("coadd-".count)
        for prefix in ["redrock-", "zbest-"] {
            for suffix in ["", ".gz"] {
                var candidate = prefix + rest
                if suffix == ".gz", !candidate.hasSuffix(".gz") { candidate += ".gz" }
                if suffix == "", candidate.hasSuffix(".gz") { continue }
                let p = url.deletingLastPathComponent().appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: p) { return p }
            }
        }
        // A gzipped coadd may sit next to an uncompressed redrock file and vice versa.
        if name.hasSuffix(".gz") {
            return companion(ofCoadd: url.deletingLastPathComponent()
                .appendingPathComponent(String(name.dropLast(3))).path)
        }
        return nil
    }

    /// Reads the table; duplicate TARGETIDs keep the first row and are returned as problems.
    public static func read(_ path: String) throws -> (rows: [TargetID: RedrockRow], problems: [InputProblem]) {
        let fits = try FITSFile.open(path)
        if fits.hasHDU("REDSHIFTS") { try fits.moveTo(hdu: "REDSHIFTS") } else { try fits.moveTo(hdu: "ZBEST") }
        let ids = try fits.readColumn("TARGETID", as: Int64.self)
        let z = try fits.readColumn("Z", as: Double.self)
        let zwarn = try fits.readColumn("ZWARN", as: Int64.self)
        let spectype = try fits.readStrings("SPECTYPE")
        let dchi2 = fits.hasColumn("DELTACHI2") ? try fits.readColumn("DELTACHI2", as: Double.self)
                                                 : [Double](repeating: .nan, count: ids.count)
        var rows: [TargetID: RedrockRow] = [:]
        rows.reserveCapacity(ids.count)
        var problems: [InputProblem] = []
        for i in ids.indices {
            if rows[ids[i]] != nil {
                problems.append(InputProblem(file: path, hdu: fits.currentHDUName, column: "TARGETID", row: i,
                                             message: "duplicate TARGETID \(ids[i]); first row kept"))
                continue
            }
            rows[ids[i]] = RedrockRow(z: z[i], zwarn: zwarn[i], spectype: spectype[i].uppercased(),
                                      deltaChi2: dchi2[i], row: i)
        }
        return (rows, problems)
    }
}
