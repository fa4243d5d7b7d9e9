import Foundation
import QADCore
import QADFormats

/// Which spectra are anomalous, and of what class, from one or more CSV
/// truth tables: `qad inject`'s injected.csv (TARGETID, ANOMALY, …),
/// `qad simulate`'s truth.csv (TARGETID, CLASS, ANOMALY, …: a non-QSO CLASS
/// is a misclassified object), or any table with TARGETID and CLASS, where
/// an empty CLASS, NONE or NORMAL means normal.
public struct TruthTable: Sendable {
    public private(set) var classes: [TargetID: String] = [:]

    public init() {}

    public var count: Int { classes.count }
    public subscript(id: TargetID) -> String? { classes[id] }

    /// Adds a table; a TARGETID already anomalous keeps its first class.
    public mutating func add(path: String) throws {
        let reader = try CSVReader(path: path)
        let header = reader.header.map { $0.uppercased() }
        guard let idColumn = header.firstIndex(of: "TARGETID") else {
            throw LocatedError(file: path, line: 1, message: "no TARGETID column (header: \(header.joined(separator: ",")))")
        }
        let anomalyColumn = header.firstIndex(of: "ANOMALY")
        let classColumn = header.firstIndex(of: "CLASS")
        guard anomalyColumn != nil || classColumn != nil else {
            throw LocatedError(file: path, line: 1, message: "needs an ANOMALY or a CLASS column")
        }
        while let row = try reader.nextRow() {
            let fields = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let id = TargetID(fields[idColumn]) else {
                throw LocatedError(file: path, column: "TARGETID", line: reader.line,
                                   message: "'\(fields[idColumn])' is not an integer")
            }
            var label: String?
            if let a = anomalyColumn, !fields[a].isEmpty, !Self.normalWords.contains(fields[a].uppercased()) {
                label = fields[a]
            } else if let c = classColumn {
                let value = fields[c].uppercased()
                if anomalyColumn != nil {
                    // simulate's truth: CLASS is the object class.
                    if !value.isEmpty && value != "QSO" { label = "MISCLASSIFIED_" + value }
                } else if !value.isEmpty && !Self.normalWords.contains(value) {
                    label = fields[c]
                }
            }
            if let label, classes[id] == nil { classes[id] = label }
        }
    }

    static let normalWords: Set<String> = ["NONE", "NORMAL", "0", "FALSE"]
}
