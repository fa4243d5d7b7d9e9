import Foundation
import QADCore
import QADFormats

/// An external catalog in a CSV file with a header row. Column types are
/// inferred from the first rows (integers, else numbers, else text; `true`/
/// `false` as booleans); an empty field is null. A later value that does not
/// fit its column's type is an error naming the line.
public final class CSVCatalog: ExternalCatalog {
    public let path: String
    public let columnNames: [String]
    public var rowCount: Int? { nil }
    private static let sampleRows = 1000
    private var inferred: [String: CatalogValueKind] = [:]

    public init(path: String) throws {
        self.path = path
        (columnNames, inferred) = try Self.header(path)
    }

    /// Column names and the types their first rows suggest.
    private static func header(_ path: String) throws(LocatedError) -> ([String], [String: CatalogValueKind]) {
        let reader: CSVReader
        var sample: [[String]] = []
        do {
            reader = try CSVReader(path: path)
            while sample.count < sampleRows, let row = try reader.nextRow() { sample.append(row) }
        } catch {
            throw LocatedError(file: path, column: error.column, line: error.line, message: error.message)
        }
        var kinds: [String: CatalogValueKind] = [:]
        for (i, name) in reader.header.enumerated() { kinds[name] = infer(sample.map { $0[i] }) }
        return (reader.header, kinds)
    }

    private static func infer(_ values: [String]) -> CatalogValueKind {
        let present = values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if present.isEmpty { return .float64 }
        if present.allSatisfy({ Int64($0) != nil }) { return .int64 }
        if present.allSatisfy({ parseDouble($0) != nil }) { return .float64 }
        if present.allSatisfy({ ["true", "false", "t", "f"].contains($0.lowercased()) }) { return .bool }
        return .string
    }

    public func kind(of column: String) throws(LocatedError) -> CatalogValueKind {
        guard let k = inferred[column] else { throw LocatedError(file: path, column: column, message: "no such column") }
        return k
    }

    /// Declares a column's type (coordinates are always numbers, whatever the sample looked like).
    public func setKind(_ kind: CatalogValueKind, of column: String) { inferred[column] = kind }

    public func unit(of column: String) -> String? { nil }

    public func forEachChunk(columns: [String], rows: Int, _ body: (CatalogChunk) throws -> Void) throws {
        let indices = try columns.map { c throws(LocatedError) in
            guard let i = columnNames.firstIndex(of: c) else { throw LocatedError(file: path, column: c, message: "no such column") }
            return i
        }
        let kinds = try columns.map { c throws(LocatedError) in try kind(of: c) }
        let reader: CSVReader
        do { reader = try CSVReader(path: path) } catch { throw LocatedError(file: path, message: "\(error)") }
        var first = 0
        var done = false
        while !done {
            var builders = kinds.map { ColumnBuilder(kind: $0, capacity: rows) }
            var lines: [Int] = []
            lines.reserveCapacity(rows)
            while lines.count < rows {
                let row: [String]?
                do { row = try reader.nextRow() } catch let e {
                    throw LocatedError(file: path, column: e.column, row: first + lines.count, line: e.line, message: e.message)
                }
                guard let row else { done = true; break }
                for k in 0..<columns.count {
                    guard builders[k].append(row[indices[k]]) else {
                        throw LocatedError(file: path, column: columns[k], row: first + lines.count, line: reader.line, message: "'\(row[indices[k]])' is not a \(kinds[k].rawValue) value like the rest of the column")
                    }
                }
                lines.append(reader.line)
            }
            if lines.isEmpty { break }
            var chunk = CatalogChunk(firstRow: first, count: lines.count, columns: [:], lines: lines)
            for (c, b) in zip(columns, builders) { chunk.columns[c] = b.chunk }
            try body(chunk)
            first += lines.count
        }
    }
}

/// strtod on a field: accepts what C accepts (incl. nan, inf, exponents), whole field only.
func parseDouble(_ s: String) -> Double? {
    let t = s.trimmingCharacters(in: .whitespaces)
    guard !t.isEmpty else { return nil }
    return t.withCString { p -> Double? in
        var end: UnsafeMutablePointer<CChar>?
        let v = strtod(p, &end)
        return end.map { $0.pointee == 0 } == true ? v : nil
    }
}

/// Accumulates one CSV column's fields as typed values with a null mask.
private struct ColumnBuilder {
    let kind: CatalogValueKind
    var doubles: [Double] = []
    var ints: [Int64] = []
    var strings: [String] = []
    var bools: [Bool] = []
    var valid: [Bool] = []
    var anyNull = false

    init(kind: CatalogValueKind, capacity: Int) {
        self.kind = kind
        valid.reserveCapacity(capacity)
    }

    mutating func append(_ raw: String) -> Bool {
        let field = raw.trimmingCharacters(in: .whitespaces)
        let isNull = field.isEmpty && kind != .string
        if isNull { anyNull = true }
        valid.append(!isNull)
        switch kind {
        case .float64:
            if isNull { doubles.append(.nan); return true }
            guard let v = parseDouble(field) else { return false }
            doubles.append(v)
        case .int64:
            if isNull { ints.append(0); return true }
            guard let v = Int64(field) else { return false }
            ints.append(v)
        case .string:
            strings.append(raw)
        case .bool:
            if isNull { bools.append(false); return true }
            switch field.lowercased() {
            case "true", "t", "1": bools.append(true)
            case "false", "f", "0": bools.append(false)
            default: return false
            }
        }
        return true
    }

    var chunk: CatalogColumnChunk {
        let v = anyNull ? valid : nil
        switch kind {
        case .float64: return CatalogColumnChunk(.float64(doubles), valid: v)
        case .int64: return CatalogColumnChunk(.int64(ints), valid: v)
        case .string: return CatalogColumnChunk(.string(strings), valid: v)
        case .bool: return CatalogColumnChunk(.bool(bools), valid: v)
        }
    }
}
