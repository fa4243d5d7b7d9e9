import Foundation
import QADCore
import QADDetect
import QADExport
import QADFormats
import QADLabels
import QADModel
import QADStore

/// `qad export`: the anomaly catalog (catalog columns, a model's scores, the
/// reviewers' verdict, every cross-match) as FITS, CSV, Parquet or VOTable,
/// with provenance.
public struct ExportStage {
    /// Written into every export's provenance.
    public static let qadVersion = "0.1.0-dev"

    public let project: ProjectStore

    public init(project: ProjectStore) {
        self.project = project
    }

    /// The table to write: every scored spectrum with `all` (every spectrum
    /// when the model has no scores yet), else the reviewed candidates.
    /// `relevance`: also each spectrum's place in that source's relevance queue (`RelevanceColumns`).
    public func table(model: String, all: Bool, relevance: (source: RelevanceSource, map: RelevanceMap)? = nil) throws -> CatalogTable {
        let store = project.store
        let spectra = try store.spectra()
        var providers: [any ExportColumnProvider] = [SpectrumColumns(spectra: spectra),
                                                     EpochColumns(epochs: try store.epochs(),
                                                                  variability: try store.epochVariability())]
        var targets = spectra.map(\.targetid).sorted()
        var selection = "every spectrum in the store (no scores yet)"
        if let run = try store.scoreRun(model: model) {
            let card = try? ModelFiles.card(in: project.modelDirectory(model))
            let scores = ScoreColumns(run: run, scores: try store.scores(model: model), spectra: spectra,
                                      dataHash: card?.data.hash)
            providers.append(scores)
            targets = scores.targets
            selection = "every spectrum scored by model \(model)"
            if let relevance {
                let queue = try RelevanceQueue(project: project, model: model, selection: nil, source: relevance.source,
                                               map: relevance.map, settings: RelevanceSettings())
                providers.append(RelevanceColumns(queue: queue, source: relevance.source, map: relevance.map))
            }
        } else if relevance != nil {
            throw LocatedError("model \(model) has no scores in \(project.location): relevance columns need qad score first")
        }
        var selectKeyword = "all"
        let labels = LabelColumns(consensus: try store.consensus(),
                                  currentLabels: try store.currentLabels(reviewerId: nil, targetids: nil),
                                  reviewers: try store.reviewers().count, events: try store.labelEventCount())
        providers.append(labels)
        if !all {
            // The curated catalog: the reviewed candidates only.
            let scored = Set(targets)
            targets = labels.reviewed.filter { scored.contains($0) }
            selection = "spectra labelled by at least one reviewer"
            selectKeyword = "reviewed"
            guard !targets.isEmpty else {
                throw LocatedError("\(project.location): no reviewed spectra yet: label candidates with qad review, or give --all")
            }
        }
        providers.append(CrossmatchColumns(catalogs: try store.crossmatchCatalogs().map {
            (catalog: $0, matches: try store.crossmatches(catalog: $0.name))
        }))
        // FITS DATE form: yyyy-mm-ddThh:mm:ss, UTC, no zone suffix.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        let iso = formatter.string(from: Date())
        let provenance = [
            CatalogProvenance("QADVERS", .string(Self.qadVersion), comment: "qad version"),
            CatalogProvenance("DATE", .string(iso), comment: "export date (UTC)"),
            CatalogProvenance("SELECT", .string(selectKeyword), comment: "rows: \(selection)"),
            CatalogProvenance("NROWS", .int(Int64(targets.count)), comment: "rows exported"),
        ]
        return try CatalogExport.table(
            name: "QAD_CATALOG", description: "qad anomalous-quasar catalog (\(selection)) from \(project.location)",
            targets: targets, providers: providers, provenance: provenance)
    }

    /// Builds the table and writes it to `path`.
    @discardableResult
    public func write(format: CatalogFormat, to path: String, model: String = "vae", all: Bool,
                      relevance: (source: RelevanceSource, map: RelevanceMap)? = nil) throws -> CatalogTable {
        let t = try table(model: model, all: all, relevance: relevance)
        try format.write(t, to: path)
        return t
    }
}
