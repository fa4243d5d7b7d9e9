import Foundation
import QADCore
import QADDetect
import QADFormats
import QADStore

/// `qad evaluate`: a model's scores (and any extra score columns) against truth tables.
public struct EvaluateStage {
    public let project: ProjectStore

    public init(project: ProjectStore) {
        self.project = project
    }

    /// Every score of `model`, then the columns of each extra-scores CSV, evaluated
    /// against the truth tables (the first class given to a TARGETID wins).
    public func run(model: String, truth: [String], extraScores: [String] = []) throws -> EvaluationReport {
        let scores = try project.store.scores(model: model)
        guard !scores.isEmpty else { throw LocatedError("model \(model) has no scores in \(project.location): run qad score first") }
        var table = TruthTable()
        for path in truth { try table.add(path: path) }
        let (z, snr) = try redshiftAndSNR(of: scores)
        var columns: [(String, [Double])] = ScoreName.allCases.map { name in (name.rawValue, scores.map { $0.value(name) }) }
        for path in extraScores { columns += try Self.readExtraScores(path, order: scores.map(\.targetid)) }
        return try ScoreEvaluation.evaluate(scores: columns, classes: scores.map { table[$0.targetid] }, snr: snr, z: z)
    }

    /// The catalog z and S/N of each scored spectrum, in the scores' order
    /// (one catalog read, not one query per spectrum).
    public func redshiftAndSNR(of scores: [ScoreRecord]) throws -> (z: [Double], snr: [Double]) {
        var catalog: [TargetID: SpectrumRecord] = [:]
        for s in try project.store.spectra() { catalog[s.targetid] = s }
        var z: [Double] = [], snr: [Double] = []
        for s in scores {
            guard let spectrum = catalog[s.targetid] else {
                throw LocatedError("\(project.location): TARGETID \(s.targetid) is scored but not in the catalog")
            }
            z.append(spectrum.z)
            snr.append(spectrum.snr)
        }
        return (z, snr)
    }

    /// The columns of an extra-scores CSV (TARGETID, then one column per
    /// score) in the order of `order`; every scored TARGETID must be there.
    /// A value that is not a number reads as NaN (a score the peer could not compute).
    static func readExtraScores(_ path: String, order: [TargetID]) throws -> [(String, [Double])] {
        let reader = try CSVReader(path: path)
        let header = reader.header
        guard header.count >= 2, header[0].uppercased() == "TARGETID" else {
            throw LocatedError(file: path, line: 1, message: "expected a header TARGETID,NAME,…")
        }
        var rows: [TargetID: [Double]] = [:]
        while let fields = try reader.nextRow() {
            guard let id = TargetID(fields[0].trimmingCharacters(in: .whitespaces)) else {
                throw LocatedError(file: path, column: header[0], line: reader.line,
                                   message: "'\(fields[0])' is not an integer TARGETID")
            }
            rows[id] = fields.dropFirst().map { Double($0.trimmingCharacters(in: .whitespaces)) ?? .nan }
        }
        return try header.dropFirst().enumerated().map { (k, name) in
            (name, try order.map { id in
                guard let r = rows[id] else { throw LocatedError(file: path, message: "no row for scored TARGETID \(id)") }
                return r[k]
            })
        }
    }
}
