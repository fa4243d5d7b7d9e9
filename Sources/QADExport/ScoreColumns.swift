import Foundation
import QADCore
import QADFormats
import QADDetect

/// The scores of one model (`qad score`): every score and its percentile,
/// where the localized residuals sit, the explanation windows, BAL and
/// quality-flag names; provenance names the model, its weights and data.
public struct ScoreColumns: ExportColumnProvider {
    let scores: [TargetID: ScoreRecord]
    let spectra: [TargetID: SpectrumRecord]
    let run: ScoreRunRecord
    let dataHash: String?
    let balThreshold: Double

    /// `dataHash`: the model card's hash of its training data, when known.
    public init(run: ScoreRunRecord, scores: [ScoreRecord], spectra: [SpectrumRecord], dataHash: String?,
                balThreshold: Double = 0.5) {
        self.run = run
        self.dataHash = dataHash
        self.balThreshold = balThreshold
        self.scores = Dictionary(scores.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a })
        self.spectra = Dictionary(spectra.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The scored TARGETIDs, ascending.
    public var targets: [TargetID] { scores.keys.sorted() }


    public func columns(for targets: [TargetID]) throws -> [CatalogTableColumn] {
        let rows = targets.map { scores[$0] }
        var columns: [CatalogTableColumn] = []
        for name in ScoreName.allCases {
            columns.append(CatalogTableColumn(
                name: name.rawValue.uppercased(), values: .float64(rows.map { $0?.value(name) }),
                description: name.summary, displayFormat: "G14.6", ucd: "stat.value"))
        }
        for name in ScoreName.allCases {
            columns.append(CatalogTableColumn(
                name: name.percentileColumn.uppercased(), values: .float64(rows.map { $0?.percentile(name) }),
                description: "percentile of \(name.rawValue.uppercased()) among the scored spectra (0-100)",
                displayFormat: "F8.4", ucd: "stat.rank"))
        }
        columns += [
            CatalogTableColumn(name: "LOCAL_REST_LAMBDA", values: .float64(rows.map { $0?.localRestLambda }), unit: "Angstrom",
                               description: "rest wavelength of the most significant rest-frame residual window",
                               displayFormat: "F9.2", ucd: "em.wl"),
            CatalogTableColumn(name: "LOCAL_REST_WIDTH", values: .float64(rows.map { $0?.localRestWidth }), unit: "Angstrom",
                               description: "full width of that window", displayFormat: "F9.2", ucd: "em.wl;spect.line.width"),
            CatalogTableColumn(name: "LOCAL_OBS_LAMBDA", values: .float64(rows.map { $0?.localObsLambda }), unit: "Angstrom",
                               description: "observed wavelength of the most significant observed-frame residual window",
                               displayFormat: "F9.2", ucd: "em.wl"),
            CatalogTableColumn(name: "LOCAL_OBS_WIDTH", values: .float64(rows.map { $0?.localObsWidth }), unit: "Angstrom",
                               description: "full width of that window", displayFormat: "F9.2", ucd: "em.wl;spect.line.width"),
            CatalogTableColumn(name: "EXPLANATION", values: .string(rows.map { $0.map(Self.explanation) }),
                               description: "windows carrying most of the residual: name (frame) share; ...",
                               ucd: "meta.note"),
            CatalogTableColumn(name: "BAL", values: .bool(targets.map { id in spectra[id].map(isBAL) }),
                               description: "BAL quasar: BAL_PROB >= \(balThreshold) or BI_CIV > 0", ucd: "meta.code"),
            CatalogTableColumn(name: "FLAG_NAMES", values: .string(targets.map { id in
                spectra[id].map { QualityFlags(rawValue: $0.flags).labels.joined(separator: "|") } }),
                               description: "names of the quality flag bits set", ucd: "meta.code.qual"),
        ]
        return columns
    }

    func isBAL(_ s: SpectrumRecord) -> Bool { s.isBAL(threshold: balThreshold) }

    static func explanation(_ s: ScoreRecord) -> String {
        s.explanation.map { String(format: "%@ (%@) %.3f", $0.window, $0.frame, $0.share) }.joined(separator: "; ")
    }

    public func provenance() throws -> [CatalogProvenance] {
        var p = [
            CatalogProvenance("MODEL", .string(run.model), comment: "qad model whose scores these are"),
            CatalogProvenance("MODELID", .string(run.modelFingerprint), comment: "hash of the model weights"),
            CatalogProvenance("NSCORED", .int(Int64(run.spectra)), comment: "spectra scored"),
            CatalogProvenance("SCORPARS", .string(run.parameters), comment: "qad score settings (JSON)"),
        ]
        if let dataHash { p.append(CatalogProvenance("DATAHASH", .string(dataHash), comment: "hash of the model's training data")) }
        return p
    }
}
