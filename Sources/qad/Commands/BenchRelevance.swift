import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADLabels
import QADPipeline
import QADPlot
import QADStore

extension Bench {
    struct Relevance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulated review sessions on scored stores: labels re-ranking the queue against the static ranking.",
            discussion: """
                For each --survey NAME,STORE,TRUTH[,TRUTH…] and each persona (physics, instrument), replays \
                --reviewed labels under the default relevance settings and (with --grid) each variant in \
                turn; prints the interesting spectra found after 50, 100, 200, 300 and 500, a table over the \
                settings, a leave-one-class-out choice of the setting, and the time of one re-rank. \
                --synthetic N also times re-ranks on N synthetic spectra (e.g. 1000000). --plot DIR writes \
                the discovery curves of the default setting as SVG and PNG.
                """)

        @Option(name: .long, help: "NAME,STORE,TRUTH[,TRUTH…] (repeatable): a scored store (SQLite folder) and its truth tables.")
        var survey: [String] = []

        @Option(name: .long, help: "Model whose scores to use.")
        var model = "vae"

        @Option(name: .long, help: "Candidates each simulated reviewer labels.")
        var reviewed = 500

        @Flag(name: .long, help: "Also replay every variant setting (docs/relevance.md).")
        var grid = false

        @Option(name: .long, help: "Write the discovery curves (SVG and PNG) into this folder.")
        var plot: String?

        @Option(name: .long, help: "Also time re-ranks on this many synthetic spectra.")
        var synthetic: Int?

        @Flag(name: .long, help: "Also time a full re-score of each survey store (qad score --force with the default settings; rewrites its scores).")
        var rescore = false

        func validate() throws {
            if survey.isEmpty && synthetic == nil { throw ValidationError("give --survey NAME,STORE,TRUTH or --synthetic N") }
            for s in survey where s.split(separator: ",").count < 3 {
                throw ValidationError("--survey \(s): expected NAME,STORE,TRUTH[,TRUTH…]")
            }
            guard reviewed > 0 else { throw ValidationError("--reviewed must be positive") }
            if let synthetic, synthetic < 100 { throw ValidationError("--synthetic needs at least 100 spectra") }
        }

        func run() throws {
            let settings = grid ? RelevanceBenchmark.settings : [RelevanceBenchmark.settings[0]]
            var outcomes: [RelevanceBenchmark.Outcome] = []
            for item in survey {
                let parts = item.split(separator: ",").map(String.init)
                let name = parts[0]
                let project = try ProjectStore(directory: parts[1])
                var truth = TruthTable()
                for path in parts[2...] { try truth.add(path: path) }
                var samples: [RelevanceFeatures.Options: ScoredSample] = [:]
                var rerank: [Double] = []
                for setting in settings {
                    let options = setting.settings.features
                    let sample = try samples[options] ?? ScoredSample(project: project, model: model, options: options)
                    samples[options] = sample
                    let classes = sample.scores.map { truth[$0.targetid] }
                    for persona in [ReviewerPersona.physics, .instrument] {
                        let o = RelevanceBenchmark.replay(survey: name, features: sample.features,
                                                          anomalyPercentile: sample.anomalyPercentiles, truthClass: classes,
                                                          persona: persona, reviewed: reviewed, setting: setting)
                        outcomes.append(o)
                        if setting.name == "default" { rerank.append(o.meanRerank) }
                        if setting.name == "default" {
                            print("== \(name), \(sample.count) scored spectra, default setting")
                            print(ReviewReplay.report(o.result), terminator: "")
                            print(String(format: "re-rank after a label: mean %.1f ms, longest %.1f ms (pool %d)",
                                         o.meanRerank * 1000, o.maxRerank * 1000,
                                         RelevanceSettings().poolSize(of: sample.count)))
                            if let plot {
                                let r = o.result
                                let paths = try FigureWriter.write(name: "discovery-\(name)-\(persona.name)", formats: [.svg, .png],
                                                                   directory: plot) { _ in
                                    DiscoveryFigure().draw(title: "\(name): \(persona.name) reviewer",
                                                           adaptive: r.adaptive, staticRanking: r.staticRanking,
                                                           randomSlope: r.randomExpected(after: 1), total: r.interestingTotal)
                                }
                                print("wrote " + paths.joined(separator: ", "))
                            }
                            print("")
                        }
                    }
                }
                if rescore {
                    let began = Date()
                    _ = try ScoreStage(project: project, modelName: model).run(ScoreSettings(), force: true)
                    let seconds = Date().timeIntervalSince(began)
                    let mean = rerank.reduce(0, +) / Double(max(rerank.count, 1))
                    print(String(format: "== %@: full re-score (qad score --force) %.1f s; a re-rank after a label %.1f ms, %.0f× faster\n",
                                 name, seconds, mean * 1000, seconds / max(mean, 1e-9)))
                }
            }
            if grid && !outcomes.isEmpty {
                print(RelevanceBenchmark.table(outcomes))
                print(RelevanceBenchmark.leaveOneClassOut(outcomes))
            }
            if let synthetic {
                let t = RelevanceBenchmark.syntheticRerank(n: synthetic, labels: min(reviewed, 200))
                print(String(format: "synthetic: %d spectra, pool %d: features and model built in %.2f s; "
                                 + "re-rank after a label: mean %.1f ms, longest %.1f ms over %d labels",
                             synthetic, t.pool, t.build, t.mean * 1000, t.longest * 1000, min(reviewed, 200)))
            }
        }
    }
}
