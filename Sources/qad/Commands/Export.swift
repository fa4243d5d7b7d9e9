import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADFormats
import QADLabels
import QADPipeline
import QADStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the anomaly catalog as FITS, CSV, Parquet or VOTable.",
        discussion: """
        Columns: TARGETID, RA, DEC, Z, SNR, BAL_PROB, FLAGS; every score of the model \
        (\(ScoreName.allCases.map { $0.rawValue.uppercased() }.joined(separator: ", "))) and its percentile (…_PCT), where the localized residuals sit, EXPLANATION, BAL, FLAG_NAMES; then \
        for each cross-matched catalog NAME_ID, NAME_SEP, NAME_N, NAME_CHANCE and its kept columns \
        (NAME_W1MPRO, …). Provenance (qad version, date, model, \
        weights and data hashes, score settings, cross-matched catalogs and radii) goes to FITS header \
        keywords, Parquet key-value metadata and VOTable INFO elements. CONSENSUS_CLASS, N_REVIEWERS and \
        AGREEMENT give the reviewers' verdict. By default the rows are the reviewed candidates; --all \
        exports every scored spectrum (every spectrum when the model has no scores yet).
        """)

    @OptionGroup var common: StoreOptions

    @Option(help: "fits, csv, parquet or votable.")
    var format: CatalogFormat

    @Option(help: "Output file (replaced when complete).")
    var out: String

    @Flag(help: "Export every scored spectrum (default: the candidates labelled in qad review).")
    var all = false

    @Option(help: "Model whose scores to export.")
    var model = "vae"

    @Option(name: .long, help: "Add each spectrum's place in the relevance queue of 'team' or one reviewer (RELEVANCE, NOVELTY, QUEUE_KEY, QUEUE_RANK).")
    var relevance: String?

    @Option(name: .customLong("relevance-map"), help: "With --relevance: physics (default), instrument, or class=value,… changes to physics.")
    var relevanceMap = "physics"

    func validate() throws {
        if relevance != nil { _ = try RelevanceMap(parsing: relevanceMap) }
    }

    func run() async throws {
        let table = try ExportStage(project: try common.openProject())
            .write(format: format, to: out, model: model, all: all,
                   relevance: try relevance.map { (RelevanceSource($0), try RelevanceMap(parsing: relevanceMap)) })
        print("\(table.rowCount) rows, \(table.columns.count) columns → \(out)")
    }
}
