import QADCore
import QADFormats

/// Upstream ARD Parquet tiles (`tile_*/qso_data_TILE*.parquet`): many quasars
/// per file, like a coadd. Each row's concatenated B/R/Z arrays are split back
/// into arms (with DESI's exact wavelengths, see `DESIWavelengthGrid`) and go
/// through the same preprocessing as the FITS path, so a target gives the
/// same cache row from its tile as from its coadd.
///
/// With `--qso-catalog` the catalog defines the sample and supplies z (and
/// the BAL columns), as for coadds. Without one, every row is a quasar by
/// construction of the tiles and is taken with the tile's z (zSource `ard`;
/// the upstream converter copies it from the DESI QSO catalog).
public struct ARDTileSource: SpectrumSource {
    public init() {}

    public static func isTileName(_ path: String) -> Bool { path.hasSuffix(".parquet") }

    public func read(_ path: String, selection: SampleSelection) throws -> SourceRead {
        do {
            return try readTile(path, selection: selection)
        } catch let e as ParquetError {
            throw e.problem
        }
    }

    private func readTile(_ path: String, selection: SampleSelection) throws -> SourceRead {
        let tile = try ARDTileFile(path: path)
        var out = SourceRead()
        var seen = Set<TargetID>()
        // One row group at a time: memory holds one row group's columns.
        for g in 0..<tile.rowGroupCount {
            let hdu = "row group \(g)"
            for row in try tile.rows(ofRowGroup: g) {
                func problem(_ column: String, _ message: String) -> InputProblem {
                    InputProblem(file: path, hdu: hdu, column: column, row: row.row, message: message)
                }
                guard let id = row.targetID else {
                    out.skipped.append(problem("target_id", "null target_id; row skipped"))
                    continue
                }
                guard id >= 0 else { out.notSelected += 1; continue }
                var info: TargetInfo
                if !selection.catalog.isEmpty {
                    guard let entry = selection.catalog[id] else { out.notSelected += 1; continue }
                    info = TargetInfo(targetID: id, ra: entry.ra, dec: entry.dec, z: entry.z, zSource: .catalog,
                                      balProb: entry.balProb, biCIV: entry.biCIV, aiCIV: entry.aiCIV)
                } else {
                    info = TargetInfo(targetID: id, z: row.z ?? .nan, zSource: .ard)
                }
                if let ra = row.ra, let dec = row.dec, ra.isFinite, dec.isFinite {
                    info.ra = ra
                    info.dec = dec
                }
                guard seen.insert(id).inserted else {
                    out.skipped.append(problem("target_id", "duplicate TARGETID \(id) within the file; first row kept"))
                    continue
                }
                if let p = row.problem {
                    out.skipped.append(problem(p.column, "TARGETID \(id): \(p.message); row skipped"))
                    continue
                }
                out.spectra.append(ObservedSpectrum(info: info, arms: row.arms, survey: "DESI", sourceFile: path,
                                                    sourceHDU: hdu, sourceRow: row.row))
            }
        }
        return out
    }
}
