import PostgresNIO
import QADCore

// How each record crosses the wire: COPY text for bulk writes, named columns
// for reads. Column lists are constants of this file, never input.

extension SpectrumRecord: CopyRow {
    static var copyColumns: [String] { insertColumns }
    static let selectColumns = insertColumns.joined(separator: ", ")

    func encode(into row: inout CopyTextEncoder) {
        row.field(targetid)
        row.field(ra)
        row.field(dec)
        row.field(z)
        row.field(zSource)
        row.field(spectype)
        row.field(zwarn)
        row.field(deltachi2)
        row.field(balProb)
        row.field(biCiv)
        row.field(aiCiv)
        row.field(snr)
        row.field(amplitude)
        row.field(maskFrac)
        row.field(zeroIvarFrac)
        row.field(armStep)
        row.field(nbins)
        row.field(flags)
        row.field(survey)
        row.field(sourceFile)
        row.field(sourceHdu)
        row.field(sourceRow)
        row.field(cacheShard)
        row.field(cacheRow)
    }

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(
            targetid: try r["targetid"].decode(Int64.self), ra: try r["ra"].decode(Double?.self),
            dec: try r["dec"].decode(Double?.self), z: try r["z"].decode(Double.self),
            zSource: try r["z_source"].decode(String.self), spectype: try r["spectype"].decode(String?.self),
            zwarn: try r["zwarn"].decode(Int64?.self), deltachi2: try r["deltachi2"].decode(Double?.self),
            balProb: try r["bal_prob"].decode(Double?.self), biCiv: try r["bi_civ"].decode(Double?.self),
            aiCiv: try r["ai_civ"].decode(Double?.self), snr: try r["snr"].decode(Double.self),
            amplitude: try r["amplitude"].decode(Double.self), maskFrac: try r["mask_frac"].decode(Double.self),
            zeroIvarFrac: try r["zero_ivar_frac"].decode(Double.self), armStep: try r["arm_step"].decode(Double.self),
            nbins: try r["nbins"].decode(Int.self), flags: try r["flags"].decode(Int64.self),
            survey: try r["survey"].decode(String.self), sourceFile: try r["source_file"].decode(String.self),
            sourceHdu: try r["source_hdu"].decode(String.self), sourceRow: try r["source_row"].decode(Int.self),
            cacheShard: try r["cache_shard"].decode(String.self), cacheRow: try r["cache_row"].decode(Int.self))
    }
}

extension ProblemRecord: CopyRow {
    static var copyColumns: [String] { ["file", "hdu", "column", "row", "severity", "message"] }
    static let selectColumns = #"file, hdu, "column", "row", severity, message"#

    func encode(into row: inout CopyTextEncoder) {
        row.field(file)
        row.field(hdu)
        row.field(column)
        row.field(self.row)
        row.field(severity.rawValue)
        row.field(message)
    }

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        let raw = try r["severity"].decode(String.self)
        guard let severity = Severity(rawValue: raw) else {
            throw StoreError("input_problem: unknown severity '\(raw)'")
        }
        self.init(InputProblem(file: try r["file"].decode(String.self), hdu: try r["hdu"].decode(String?.self),
                               column: try r["column"].decode(String?.self), row: try r["row"].decode(Int?.self),
                               message: try r["message"].decode(String.self)), severity: severity)
    }
}

extension IngestedFileRecord {
    static let selectColumns = "path, size, mtime, status, n_spectra, n_skipped, ingested_at"

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        let raw = try r["status"].decode(String.self)
        guard let status = Status(rawValue: raw) else { throw StoreError("ingested_file: unknown status '\(raw)'") }
        self.init(path: try r["path"].decode(String.self), size: try r["size"].decode(Int64.self),
                  mtime: try r["mtime"].decode(Double.self), status: status,
                  nSpectra: try r["n_spectra"].decode(Int.self), nSkipped: try r["n_skipped"].decode(Int.self),
                  ingestedAt: try r["ingested_at"].decode(Double.self))
    }
}

extension ModelOutputRecord: CopyRow {
    static var copyColumns: [String] {
        ["model", "targetid", "cache_shard", "cache_row", "recon_chi2", "recon_mse", "kl", "dof"]
    }
    static let selectColumns = copyColumns.joined(separator: ", ")

    func encode(into row: inout CopyTextEncoder) {
        row.field(model)
        row.field(targetid)
        row.field(cacheShard)
        row.field(cacheRow)
        row.field(reconChi2)
        row.field(reconMse)
        row.field(kl)
        row.field(dof)
    }

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(model: try r["model"].decode(String.self), targetid: try r["targetid"].decode(Int64.self),
                  cacheShard: try r["cache_shard"].decode(String.self), cacheRow: try r["cache_row"].decode(Int.self),
                  reconChi2: try r["recon_chi2"].decode(Double.self), reconMse: try r["recon_mse"].decode(Double.self),
                  kl: try r["kl"].decode(Double.self), dof: try r["dof"].decode(Int.self))
    }
}

extension ModelInferenceRecord {
    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(model: try r["model"].decode(String.self), fingerprint: try r["fingerprint"].decode(String.self),
                  cacheShard: try r["cache_shard"].decode(String.self), rowsDone: try r["rows_done"].decode(Int.self),
                  rowsTotal: try r["rows_total"].decode(Int.self), updatedAt: try r["updated_at"].decode(Double.self))
    }
}
