import Foundation
import QADCore
import QADDetect
import QADFormats

/// `qad simulate --epochs`'s truth table (epochs.csv): each repeat's kind
/// (ORDINARY, CL_VANISH, …) and details.
public struct EpochTruth: Sendable {
    public var kinds: [TargetID: String] = [:]
    public var details: [TargetID: String] = [:]

    public static let ordinary = "ORDINARY"

    public init(path: String) throws {
        let csv = try CSVReader(path: path)
        guard let idColumn = csv.header.firstIndex(of: "TARGETID"), let kindColumn = csv.header.firstIndex(of: "KIND") else {
            throw LocatedError(file: path, message: "needs columns TARGETID and KIND (qad simulate --epochs's epochs.csv)")
        }
        let detailColumn = csv.header.firstIndex(of: "DETAILS")
        while let row = try csv.nextRow() {
            guard row.count > max(idColumn, kindColumn), let id = Int64(row[idColumn]) else {
                throw LocatedError(file: path, column: "TARGETID", line: csv.line, message: "not an integer TARGETID, or a short row")
            }
            kinds[id] = row[kindColumn]
            if let detailColumn, row.count > detailColumn { details[id] = row[detailColumn] }
        }
    }
}

/// How well `variability` and the changing-look flag find the changed
/// repeats of a truth table: the report `qad epochs --truth` and
/// `qad evaluate --epochs-truth` print.
public enum EpochEvaluation {
    /// One object with repeat epochs, as scored.
    public struct Row: Sendable {
        public var object: TargetID
        public var variability: Double
        /// The fainter epoch's S/N, and the rest-frame baseline, of the scored pair.
        public var snr: Double
        public var restFrameDays: Double
        public var changingLook: Bool

        public init(object: TargetID, variability: Double, snr: Double, restFrameDays: Double, changingLook: Bool) {
            self.object = object
            self.variability = variability
            self.snr = snr
            self.restFrameDays = restFrameDays
            self.changingLook = changingLook
        }
    }

    /// The report's lines; `rows` not in the truth table are left out.
    public static func report(_ all: [Row], truth: EpochTruth, source: String) throws -> [String] {
        let rows = all.filter { truth.kinds[$0.object] != nil }
        guard !rows.isEmpty else {
            throw LocatedError(file: source, message: "none of its TARGETIDs is a stored object with repeat epochs")
        }
        let kind = { (i: Int) in truth.kinds[rows[i].object]! }
        let scores = rows.map(\.variability), labels = rows.indices.map { kind($0) != EpochTruth.ordinary }
        let snr = rows.map(\.snr), days = rows.map(\.restFrameDays)
        let changed = labels.count { $0 }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        var out = ["\(rows.count) objects with repeat epochs in the truth table: \(changed) changed, \(rows.count - changed) ordinary"]
        let top = try EvaluationMetrics.topCount(fraction: 0.01, of: rows.count)
        let inTop = Set(rows.indices.sorted { scores[$0] > scores[$1] }.prefix(top))
        out.append("variability: ROC-AUC \(f(try EvaluationMetrics.rocAUC(scores: scores, labels: labels))), "
                   + "S/N-matched \(f(try EvaluationMetrics.snrMatchedROCAUC(scores: scores, labels: labels, snr: snr))), "
                   + "AP \(f(try EvaluationMetrics.averagePrecision(scores: scores, labels: labels))), "
                   + "recall in the top 1 % (\(top)) \(f(Double(inTop.count { labels[$0] }) / Double(max(changed, 1))))")
        let normal = rows.indices.filter { !labels[$0] && days[$0].isFinite }
        out.append("  among ordinary quasars: ρ(variability, S/N) "
                   + "\(f(try EvaluationMetrics.spearman(normal.map { scores[$0] }, normal.map { snr[$0] }))), "
                   + "ρ(variability, rest-frame baseline) "
                   + "\(f(try EvaluationMetrics.spearman(normal.map { scores[$0] }, normal.map { days[$0] })))")
        let percentile = EvaluationMetrics.averageRanks(scores).map { 100 * ($0 - 0.5) / Double(scores.count) }
        for name in Set(truth.kinds.values).subtracting([EpochTruth.ordinary]).sorted() {
            let members = rows.indices.filter { kind($0) == name }
            guard !members.isEmpty else { continue }
            let meanPercentile = members.map { percentile[$0] }.reduce(0, +) / Double(members.count)
            out.append("  \(name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(members.count) pairs: "
                       + "\(members.count { inTop.contains($0) }) in the top 1 %, mean percentile "
                       + String(format: "%.1f", meanPercentile))
        }
        let flagged = rows.indices.filter { rows[$0].changingLook }
        let isCL = { (i: Int) in kind(i).hasPrefix("CL_") }
        let truePositives = flagged.count(where: isCL), cl = rows.indices.count(where: isCL)
        out.append("changing look: \(flagged.count) flagged, \(truePositives) of them CL_ kinds: precision "
                   + "\(flagged.isEmpty ? "–" : f(Double(truePositives) / Double(flagged.count))); "
                   + "recall \(f(Double(truePositives) / Double(max(cl, 1)))) of \(cl)")
        let wrong = flagged.filter { !isCL($0) }.map(kind)
        if !wrong.isEmpty {
            let tally = Dictionary(grouping: wrong, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted()
            out.append("  flagged but not CL_: " + tally.joined(separator: ", "))
        }
        return out
    }
}
