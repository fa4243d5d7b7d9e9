import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADLabels
import QADPipeline
import QADStore

struct Rank: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Select and rank anomaly candidates.",
        discussion: """
            Filters are typed options (scores, percentiles, z and S/N ranges, BAL handling, quality \
            flags), never SQL. Prints a table, or CSV/JSON (TARGETID exact) to stdout or --out.
            """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var filters: CandidateFilterOptions

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format = CandidateListStyle.table

    @Option(name: .long, help: "Write the candidate list here instead of stdout.")
    var out: String?

    @Flag(name: .long, help: "Show the upstream ARD table's ANOMALY_SCORE and RECON_MSE (qad ingest --ard-table) beside qad's scores.")
    var upstream = false

    @Option(name: .customLong("upstream-min-score"),
            help: "Rank on the upstream columns instead (the seed's query): ANOMALY_SCORE above this, highest first; qad's scores shown beside.")
    var upstreamMinScore: Double?

    @Option(name: .customLong("upstream-min-mse"), help: "With --upstream-min-score: RECON_MSE at least this.")
    var upstreamMinMSE: Double?

    @Option(name: .customLong("upstream-max-mse"), help: "With --upstream-min-score: RECON_MSE at most this.")
    var upstreamMaxMSE: Double?

    @Option(name: .customLong("upstream-max-bal"), help: "With --upstream-min-score: keep BAL_PROB below this (or unknown).")
    var upstreamMaxBAL: Double?

    @Option(name: .long, help: ArgumentHelp(
        "Re-rank by what reviewers labelled: 'team' (everyone's consensus) or one reviewer's name.",
        discussion: "Candidates the source already labelled are left out; see docs/relevance.md."))
    var relevance: String?

    @Option(name: .customLong("relevance-map"),
            help: "What each label class means to you: physics (default), instrument, or class=value,… changes to physics (values −1…1).")
    var relevanceMap = "physics"

    func validate() throws {
        if relevance != nil && (upstream || upstreamMinScore != nil) {
            throw ValidationError("--relevance ranks qad's own scores; it does not combine with --upstream or --upstream-min-score")
        }
        if relevance != nil && filters.query.sortByVariability {
            throw ValidationError("--relevance sets the order itself; it does not combine with --sort variability")
        }
        if relevance != nil { _ = try RelevanceMap(parsing: relevanceMap) }
    }

    func run() async throws {
        let project = try common.openProject()
        let query = try filters.query(hidingIn: project.store)
        if let relevance {
            let list = try RelevanceRanking(project: project)
                .run(query, source: RelevanceSource(relevance), map: try RelevanceMap(parsing: relevanceMap))
            let text: String
            switch format {
            case .csv: text = RelevanceListFormat.csv(list, offset: query.offset)
            case .json: text = RelevanceListFormat.json(list, offset: query.offset)
            case .table: text = RelevanceListFormat.table(list, offset: query.offset)
                + "\(list.candidates.count) of \(list.total) unlabelled candidates in the ranked pool shown\n"
            }
            if let out {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
                print("wrote \(list.candidates.count) candidates to \(out)")
            } else {
                print(text, terminator: "")
            }
            return
        }
        var upstreamUse = RankStage.Upstream.none
        if let minScore = upstreamMinScore {
            // The seed's query on the upstream columns, with qad's scores beside.
            upstreamUse = .ranked(UpstreamCandidateQuery(
                minAnomalyScore: minScore, minReconMSE: upstreamMinMSE, maxReconMSE: upstreamMaxMSE,
                maxBALProb: upstreamMaxBAL, limit: query.limit))
        } else if upstream {
            upstreamUse = .shown
        }
        let list = try RankStage(project: project).run(query, upstream: upstreamUse)
        let text: String
        switch format {
        case .csv: text = CandidateListFormat.csv(list)
        case .json: text = CandidateListFormat.json(list)
        case .table: text = CandidateListFormat.table(list) + "\(list.candidates.count) of \(list.total) selected spectra shown\n"
        }
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(list.candidates.count) candidates to \(out)")
        } else {
            print(text, terminator: "")
        }
    }
}
