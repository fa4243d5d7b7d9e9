import Foundation
import QADCore

/// Finds the spectrum files under the paths given to `qad ingest`.
public enum InputDiscovery {
    /// Files named on the command line are taken as they are; folders are
    /// recursed for DESI coadds (`coadd-*.fits[.gz]`), SDSS `spec-*.fits[.gz]`
    /// and ARD Parquet tiles (`*.parquet`, e.g. `tile_*/qso_data_TILE*.parquet`).
    /// The result is absolute, de-duplicated and sorted, so that runs over the
    /// same inputs process files in the same order.
    public static func files(in paths: [String]) throws -> [String] {
        var found = Set<String>()
        let fm = FileManager.default
        for p in paths {
            let url = URL(fileURLWithPath: p).standardizedFileURL
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else {
                throw LocatedError(file: p, message: "no such file or folder")
            }
            if !isDir.boolValue {
                found.insert(url.path)
                continue
            }
            guard let e = fm.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let f as URL in e where isSpectrumFileName(f.lastPathComponent) {
                found.insert(f.standardizedFileURL.path)
            }
        }
        return found.sorted()
    }

    public static func isSpectrumFileName(_ name: String) -> Bool {
        if name.hasSuffix(".parquet") { return true }
        let fits = name.hasSuffix(".fits") || name.hasSuffix(".fits.gz") || name.hasSuffix(".fit")
        return fits && (name.hasPrefix("coadd-") || name.hasPrefix("spec-"))
    }
}

