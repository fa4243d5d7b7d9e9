import QADCore
import QADFormats

/// How often and over what time each object was observed: N_EPOCHS, the
/// first and last MJD and the baseline between them (observed-frame days),
/// and what `qad epochs` found: VARIABILITY (σ), CHANGING_LOOK, CLASS_CHANGE,
/// and per broad line of the most variable pair, the later epoch's flux over
/// the earlier's (e.g. HBETA_RATIO) and the change over its error
/// (HBETA_CHANGE_SIG).
/// Dates are missing where no epoch's file gave one; the findings where the
/// object has one epoch or `qad epochs` has not run.
public struct EpochColumns: ExportColumnProvider {
    let count: [TargetID: Int]
    let first: [TargetID: Double]
    let last: [TargetID: Double]
    let found: [TargetID: EpochVariabilityRecord]

    public init(epochs: [EpochRecord], variability: [EpochVariabilityRecord] = []) {
        found = Dictionary(variability.map { ($0.object, $0) }, uniquingKeysWith: { a, _ in a })
        var count: [TargetID: Int] = [:], first: [TargetID: Double] = [:], last: [TargetID: Double] = [:]
        for e in epochs {
            count[e.object, default: 0] += 1
            if let lo = e.mjdMin { first[e.object] = min(first[e.object] ?? lo, lo) }
            if let hi = e.mjdMax { last[e.object] = max(last[e.object] ?? hi, hi) }
        }
        self.count = count
        self.first = first
        self.last = last
    }

    public func columns(for targets: [TargetID]) throws -> [CatalogTableColumn] {
        [
            CatalogTableColumn(name: "N_EPOCHS", values: .int64(targets.map { Int64(count[$0] ?? 1) }),
                               description: "Spectra of the object qad holds (the primary and its other epochs)",
                               displayFormat: "I4", ucd: "meta.number"),
            CatalogTableColumn(name: "MJD_FIRST", values: .float64(targets.map { first[$0] }), unit: "d",
                               description: "Earliest exposure among the object's epochs (MJD)", displayFormat: "F11.4",
                               ucd: "time.start;obs"),
            CatalogTableColumn(name: "MJD_LAST", values: .float64(targets.map { last[$0] }), unit: "d",
                               description: "Latest exposure among the object's epochs (MJD)", displayFormat: "F11.4",
                               ucd: "time.end;obs"),
            CatalogTableColumn(name: "EPOCH_BASELINE", values: .float64(targets.map { t in
                                   first[t].flatMap { a in last[t].map { $0 - a } } }), unit: "d",
                               description: "Time between the first and last exposure (observed frame)",
                               displayFormat: "F9.2", ucd: "time.interval"),
            CatalogTableColumn(name: "VARIABILITY", values: .float64(targets.map { found[$0]?.variability }),
                               description: "Change between epochs beyond ordinary quasar variability (sigma; qad epochs)",
                               displayFormat: "F8.2", ucd: "stat.value;src.var"),
            CatalogTableColumn(name: "CHANGING_LOOK", values: .string(targets.map { found[$0]?.changingLook }),
                               description: "Broad lines that vanished or emerged between epochs", ucd: "meta.note"),
            CatalogTableColumn(name: "CLASS_CHANGE", values: .string(targets.map { found[$0]?.classChange }),
                               description: "Pipeline class change between epochs", ucd: "meta.note"),
        ] + EpochLine.names.indices.flatMap { i -> [CatalogTableColumn] in
            let stem = EpochLine.stems[i].uppercased(), line = EpochLine.names[i]
            return [
                CatalogTableColumn(name: "\(stem)_RATIO", values: .float64(targets.map { found[$0]?.lineRatio[i] }),
                                   description: "\(line) broad-line flux, later over earlier epoch of the most variable pair",
                                   displayFormat: "F8.3", ucd: "arith.ratio;phot.flux;spect.line"),
                CatalogTableColumn(name: "\(stem)_CHANGE_SIG",
                                   values: .float64(targets.map { found[$0]?.lineChangeSignificance[i] }),
                                   description: "\(line) broad-line flux change between those epochs over its error (sigma)",
                                   displayFormat: "F8.2", ucd: "stat.snr;phot.flux;spect.line"),
            ]
        }
    }
}
