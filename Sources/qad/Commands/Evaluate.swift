import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADStore

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the scores against a truth table.",
        discussion: """
            For every score: ROC-AUC, average precision, precision and recall in the top 0.5/1/2 % of \
            the scored sample, recall per anomaly class in the top 1 %, and Spearman ρ of the score with \
            S/N and with z among normal spectra. Truth tables: qad inject's injected.csv, qad simulate's \
            truth.csv, or any CSV with TARGETID and CLASS. Scored spectra missing from every truth \
            table count as normal.
            """)

    @OptionGroup var common: StoreOptions

    @Option(name: .long, help: "Model whose scores to evaluate.")
    var model = "vae"

    @Option(name: .long, help: "Truth table CSV (repeatable; the first class given to a TARGETID wins).")
    var truth: [String] = []

    @Option(name: .customLong("extra-scores"),
            help: "CSV of other methods' scores (TARGETID then one column per method), evaluated beside qad's.")
    var extraScores: [String] = []

    @Option(name: .long, help: "Also write the report as JSON here.")
    var json: String?

    func validate() throws {
        if truth.isEmpty { throw ValidationError("give at least one --truth table") }
    }

    func run() async throws {
        let project = try common.openProject()
        guard let store = project.store as? any ScoreStore else { throw ValidationError("this store holds no scores") }
        let scores = try store.scores(model: model)
        guard !scores.isEmpty else { throw ValidationError("model \(model) has no scores in \(project.location): run qad score first") }
        var table = TruthTable()
        for path in truth { try table.add(path: path) }
        let (z, snr) = try Self.redshiftAndSNR(of: scores, in: project.store)
        var columns: [(String, [Double])] = ScoreName.allCases.map { name in (name.rawValue, scores.map { $0.value(name) }) }
        for path in extraScores { columns += try Self.readExtraScores(path, order: scores.map(\.targetid)) }
        let report = try ScoreEvaluation.evaluate(scores: columns, classes: scores.map { table[$0.targetid] }, snr: snr, z: z)
        print(ScoreEvaluation.format(report), terminator: "")
        if let json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The catalog z and S/N of each scored spectrum, in the scores' order
    /// (one catalog read, not one query per spectrum).
    static func redshiftAndSNR(of scores: [ScoreRecord], in store: any Store) throws -> (z: [Double], snr: [Double]) {
        var catalog: [TargetID: SpectrumRecord] = [:]
        for s in try store.spectra() { catalog[s.targetid] = s }
        var z: [Double] = [], snr: [Double] = []
        for s in scores {
            guard let spectrum = catalog[s.targetid] else {
                throw ValidationError("TARGETID \(s.targetid) is scored but not in the catalog")
            }
            z.append(spectrum.z)
            snr.append(spectrum.snr)
        }
        return (z, snr)
    }

    /// Columns of an extra-scores CSV in the order of `order` (every scored TARGETID must be there).
    static func readExtraScores(_ path: String, order: [TargetID]) throws -> [(String, [Double])] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(path): cannot read") }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }),
              header.count >= 2, header[0].uppercased() == "TARGETID" else {
            throw ValidationError("\(path): expected a header TARGETID,NAME,…")
        }
        var rows: [TargetID: [Double]] = [:]
        for (n, line) in lines.dropFirst().enumerated() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard f.count == header.count, let id = TargetID(f[0]) else {
                throw ValidationError("\(path): row \(n + 1): expected \(header.count) fields starting with an integer TARGETID")
            }
            rows[id] = f.dropFirst().map { Double($0) ?? .nan }
        }
        return try header.dropFirst().enumerated().map { (k, name) in
            (name, try order.map { id in
                guard let r = rows[id] else { throw ValidationError("\(path): no row for scored TARGETID \(id)") }
                return r[k]
            })
        }
    }
}
