import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADPipeline
import QADStore

struct Similar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the spectra most like one spectrum.",
        discussion: """
            Similarity is the kernel a label on that spectrum would spread in the relevance model \
            (docs/relevance.md): near in which scores fired, in the latent shape, or in where the \
            strongest localized residual sits (rest or observed frame) counts. Every scored spectrum \
            the filters of qad rank select is searched, not only the stored latent neighbours. \
            Columns: rank, TARGETID, similarity (0–1), Z, SNR, combined score and percentile, and \
            the consensus label when one exists.
            """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var filters: CandidateFilterOptions

    @Argument(help: "The spectrum to start from (TARGETID).")
    var targetid: TargetID

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format = CandidateListStyle.table

    func run() async throws {
        let project = try common.openProject()
        var query = try filters.query(hidingIn: project.store)
        let limit = query.limit ?? 20
        query.limit = nil
        query.offset = 0
        query.sortByVariability = false
        let found = try SimilarSpectra(project: project).run(targetid, query: query, limit: limit,
                                                             skip: filters.query.offset)
        switch format {
        case .table: print(SimilarSpectra.table(found), terminator: "")
        case .csv: print(SimilarSpectra.csv(found), terminator: "")
        case .json: print(SimilarSpectra.json(found), terminator: "")
        }
    }
}
