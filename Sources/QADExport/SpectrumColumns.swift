import QADCore
import QADFormats

/// The catalog columns of the ingested spectra: TARGETID, RA, DEC, Z, SNR,
/// BAL_PROB, FLAGS.
public struct SpectrumColumns: ExportColumnProvider {
    let spectra: [TargetID: SpectrumRecord]

    public init(spectra: [SpectrumRecord]) {
        self.spectra = Dictionary(spectra.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func columns(for targets: [TargetID]) throws -> [CatalogTableColumn] {
        let rows = targets.map { spectra[$0] }
        return [
            CatalogTableColumn(name: "TARGETID", values: .int64(targets), description: "DESI TARGETID (SDSS spectra: qad's plate-mjd-fiber id)",
                               displayFormat: "I20", ucd: "meta.id;meta.main"),
            CatalogTableColumn(name: "RA", values: .float64(rows.map { $0?.ra }), unit: "deg",
                               description: "Right ascension (ICRS)", displayFormat: "F11.7", ucd: "pos.eq.ra;meta.main"),
            CatalogTableColumn(name: "DEC", values: .float64(rows.map { $0?.dec }), unit: "deg",
                               description: "Declination (ICRS)", displayFormat: "F11.7", ucd: "pos.eq.dec;meta.main"),
            CatalogTableColumn(name: "Z", values: .float64(rows.map { $0?.z }), description: "Redshift used for the rest frame",
                               displayFormat: "F9.6", ucd: "src.redshift"),
            CatalogTableColumn(name: "SNR", values: .float64(rows.map { $0?.snr }), description: "Median S/N per pixel",
                               displayFormat: "F9.3", ucd: "stat.snr"),
            CatalogTableColumn(name: "BAL_PROB", values: .float64(rows.map { $0?.balProb }),
                               description: "BAL probability from the QSO catalog / VAC", displayFormat: "F6.4", ucd: "stat.probability"),
            CatalogTableColumn(name: "FLAGS", values: .int64(rows.map { $0?.flags }), description: "qad quality flag bits",
                               displayFormat: "I20", ucd: "meta.code.qual"),
        ]
    }
}
