import Foundation
import QADDetect
import QADPipeline
import QADStore

/// The scoring stages of `qad demo`: `qad score`, the top of `qad rank`, and
/// `qad evaluate` against the demo's truth tables.
func runDemoScoreStep(project: ProjectStore, seed: UInt64, truthFiles: [String], first step: Int) throws {
    print("\(step)/9 score: residual, latent, localized, shape, arm-join, sky-line and BAL-trough scores, calibrated against S/N and z")
    var settings = ScoreSettings()
    settings.seed = seed
    settings.forest.seed = seed
    let runner = ScoreStage(project: project, modelName: "vae")
    let summary = try runner.run(settings)
    print(String(format: "    %d spectra scored in %.1f s", summary.spectra, summary.seconds))

    print("\(step + 1)/9 rank: the 15 most anomalous quasars (qad rank --limit 15)")
    var query = CandidateQuery()
    query.limit = 15
    print(CandidateListFormat.table(try RankStage(project: project).run(query)), terminator: "")

    print("\(step + 2)/9 evaluate: the scores against the truth tables (qad evaluate)")
    var truth = TruthTable()
    for path in truthFiles { try truth.add(path: path) }
    let scores = try project.store.scores(model: "vae")
    let (z, snr) = try EvaluateStage(project: project).redshiftAndSNR(of: scores)
    let report = try ScoreEvaluation.evaluate(scores: [("score", scores.map(\.score)), ("recon_chi2", scores.map { $0.value(.reconChi2) })],
                                              classes: scores.map { truth[$0.targetid] }, snr: snr, z: z)
    for q in report.scores {
        print("    " + q.score.padding(toLength: 11, withPad: " ", startingAt: 0) + String(
            format: "ROC-AUC %.3f  AP %.3f  precision in the top 1%% %.2f  recall %.2f  ρ(score, S/N) %+.3f", q.rocAUC, q.averagePrecision, q.precisionAt["1%"] ?? .nan, q.recallAt["1%"] ?? .nan,
                     q.spearmanSNR))
    }
    print("    (\(report.anomalies) anomalies among \(report.spectra) quasars)")
}
