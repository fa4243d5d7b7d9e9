import ArgumentParser
import Foundation
import QADExport
import QADFormats
import QADModel
import QADStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the anomaly catalog as FITS, CSV, Parquet or VOTable.",
        discussion: """
        Columns: TARGETID, RA, DEC, Z, SNR, BAL_PROB, FLAGS; every score of the model (RECON_CHI2, RECON_MSE, \
        KL, IFOREST, KNN, LOCAL_REST, LOCAL_OBS, COLOUR, LINES, ARM_JOIN_STEP, SKY_LINES, BAL_TROUGH, SCORE) \
        and its percentile (…_PCT), where the localized residuals sit, EXPLANATION, BAL, FLAG_NAMES; then \
        for each cross-matched catalog NAME_ID, NAME_SEP, NAME_N, NAME_CHANCE and its kept columns \
        (NAME_W1MPRO, …). Provenance (qad version, date, model, \
        weights and data hashes, score settings, cross-matched catalogs and radii) goes to FITS header \
        keywords, Parquet key-value metadata and VOTable INFO elements. CONSENSUS_CLASS, N_REVIEWERS and \
        AGREEMENT give the reviewers' verdict. By default the rows are the reviewed candidates; --all \
        exports every scored spectrum (every spectrum when the model has no scores yet).
        """)

    /// Written into every export's provenance.
    static let qadVersion = "0.1.0-dev"

    @OptionGroup var common: StoreOptions

    @Option(help: "fits, csv, parquet or votable.")
    var format: String

    @Option(help: "Output file (replaced when complete).")
    var out: String

    @Flag(help: "Export every scored spectrum (default: the candidates labelled in qad review).")
    var all = false

    @Option(help: "Model whose scores to export.")
    var model = "vae"

    func validate() throws {
        guard CatalogFormat(rawValue: format.lowercased()) != nil else {
            throw ValidationError("--format must be fits, csv, parquet or votable")
        }
    }

    func run() async throws {
        try writeCatalog(project: try common.openProject())
    }

    /// Builds the table from the store and writes it.
    func writeCatalog(project: ProjectStore) throws {
        guard let crossmatch = project.store as? CrossmatchStore else { throw StoreError("this store cannot hold cross-matches") }
        var providers: [any ExportColumnProvider] = [try SpectrumColumns(store: project.store)]
        var targets = try project.store.spectra().map(\.targetid).sorted()
        var selection = "every spectrum in the store (no scores yet)"
        if let scoreStore = project.store as? any Store & ScoreStore, try scoreStore.scoreRun(model: model) != nil {
            let card = try? ModelCard.decode(Data(contentsOf: URL(fileURLWithPath: VAETrainer.modelPath(project: project, name: model)
                                                                      + "/" + ModelFiles.cardName)), path: model)
            let scores = try ScoreColumns(store: scoreStore, model: model, dataHash: card?.data.hash)
            providers.append(scores)
            targets = scores.targets
            selection = "every spectrum scored by model \(model)"
        }
        var selectKeyword = "all"
        if let reviews = project.store as? any ReviewStore {
            let labels = try LabelColumns(store: reviews)
            providers.append(labels)
            if !all {
                // The curated catalog: the reviewed candidates only.
                let scored = Set(targets)
                targets = labels.reviewed.filter { scored.contains($0) }
                selection = "spectra labelled by at least one reviewer"
                selectKeyword = "reviewed"
                guard !targets.isEmpty else {
                    throw ValidationError("no reviewed spectra yet: label candidates with qad review, or give --all")
                }
            }
        }
        providers.append(try CrossmatchColumns(store: crossmatch))
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
        let table = try CatalogExport.table(
            name: "QAD_CATALOG", description: "qad anomalous-quasar catalog (\(selection)) from \(project.location)",
            targets: targets, providers: providers, provenance: provenance)
        try CatalogFormat(rawValue: format.lowercased())!.write(table, to: out)
        print("\(table.rowCount) rows, \(table.columns.count) columns → \(out)")
    }
}
