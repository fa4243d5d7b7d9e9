import QADCore
import QADFormats

/// An external catalog in a Parquet file, read one row group at a time (only
/// the columns asked for are decoded). Flat columns only.
public final class ParquetCatalog: ExternalCatalog {
    public let path: String
    public let columnNames: [String]
    public var rowCount: Int? { file.rowCount }
    private let file: ParquetFile

    public init(path: String) throws {
        self.path = path
        do { file = try ParquetFile(path: path) } catch {
            throw LocatedError(file: path, message: "\(error)")
        }
        columnNames = file.schema.leaves.map(\.name)
    }

    public func kind(of column: String) throws(LocatedError) -> CatalogValueKind {
        guard let leaf = file.schema.leaves.first(where: { $0.name == column }) else {
            throw LocatedError(file: path, column: column, message: "no such column")
        }
        guard !leaf.isList else { throw LocatedError(file: path, column: column, message: "a list column; give a scalar column") }
        switch leaf.physicalType {
        case .boolean: return .bool
        case .int32, .int64: return .int64
        case .float, .double: return .float64
        case .byteArray where leaf.isText: return .string
        default:
            throw LocatedError(file: path, column: column, message: "\(leaf.physicalType) values are not supported")
        }
    }

    public func unit(of column: String) -> String? { nil }

    public func forEachChunk(columns: [String], rows: Int, _ body: (CatalogChunk) throws -> Void) throws {
        for c in columns { _ = try kind(of: c) }
        var first = 0
        for g in 0..<file.rowGroupCount {
            let table: ParquetTable
            do { table = try file.readRowGroup(g, columns: columns) } catch {
                throw LocatedError(file: path, message: "\(error)")
            }
            var chunk = CatalogChunk(firstRow: first, count: table.rowCount, columns: [:])
            for c in columns {
                guard let col = table[c] else { throw LocatedError(file: path, column: c, message: "missing from row group \(g)") }
                let values: CatalogColumnChunk.Values
                switch col.values {
                case .boolean(let v): values = .bool(v)
                case .int32(let v): values = .int64(v.map(Int64.init))
                case .int64(let v): values = .int64(v)
                case .float(let v): values = .float64(v.map(Double.init))
                case .double(let v): values = .float64(v)
                case .bytes(let v, _): values = .string(v.strings)
                }
                chunk.columns[c] = CatalogColumnChunk(values, valid: col.validity)
            }
            try body(chunk)
            first += table.rowCount
        }
    }
}
