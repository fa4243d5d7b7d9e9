import CCFITSIO
import QADCore
import QADFormats

/// An external catalog in the first binary table of a FITS file (cfitsio reads
/// `.fits.gz` too). Scalar columns only; vector columns are refused by name.
public final class FITSCatalog: ExternalCatalog {
    public let path: String
    public let columnNames: [String]
    public var rowCount: Int? { rows }
    private let rows: Int
    private let file: FITSFile
    private var infos: [String: FITSColumnInfo] = [:]

    public init(path: String) throws {
        self.path = path
        do {
            file = try FITSFile.open(path)
            var found = false
            for i in 1..<max(file.hduCount, 1) {
                try file.moveTo(index: i)
                if try file.currentKind() == .binaryTable { found = true; break }
            }
            guard found else { throw LocatedError(file: path, message: "no binary table HDU") }
            rows = try file.rowCount()
            columnNames = try file.columnNames()
        } catch let e as FITSError {
            throw LocatedError(file: path, column: e.column, row: e.row, message: e.message)
        }
    }

    private func info(_ column: String) throws(LocatedError) -> FITSColumnInfo {
        if let i = infos[column] { return i }
        do {
            let i = try file.columnInfo(column)
            infos[column] = i
            return i
        } catch {
            throw LocatedError(file: path, column: column, message: "\(error)")
        }
    }

    public func kind(of column: String) throws(LocatedError) -> CatalogValueKind {
        let i = try info(column)
        switch i.typeCode {
        case Int32(TSTRING): return .string
        case Int32(TLOGICAL): return try scalar(.bool, i)
        case Int32(TFLOAT), Int32(TDOUBLE): return try scalar(.float64, i)
        case Int32(TBYTE), Int32(TSBYTE), Int32(TSHORT), Int32(TUSHORT), Int32(TINT), Int32(TUINT),
             Int32(TLONG), Int32(TULONG), Int32(TLONGLONG):
            return try scalar(.int64, i)
        default:
            throw LocatedError(file: path, column: column, message: "column type \(i.typeCode) (complex, bit or unsigned 64-bit) is not supported")
        }
    }

    private func scalar(_ kind: CatalogValueKind, _ i: FITSColumnInfo) throws(LocatedError) -> CatalogValueKind {
        guard i.repeatCount == 1 else {
            throw LocatedError(file: path, column: i.name, message: "a vector column (\(i.repeatCount) values a row); give a scalar column")
        }
        return kind
    }

    public func unit(of column: String) -> String? {
        guard let i = try? info(column), let u = try? file.stringKey("TUNIT\(i.number)"), !u.isEmpty else { return nil }
        return u
    }

    public func forEachChunk(columns: [String], rows chunkRows: Int, _ body: (CatalogChunk) throws -> Void) throws {
        let kinds = try columns.map { c throws(LocatedError) in try kind(of: c) }
        var first = 0
        while first < rows {
            let n = min(chunkRows, rows - first)
            var chunk = CatalogChunk(firstRow: first, count: n, columns: [:])
            do {
                for (c, k) in zip(columns, kinds) {
                    switch k {
                    case .float64: chunk.columns[c] = CatalogColumnChunk(.float64(try file.readColumn(c, as: Double.self, firstRow: first, count: n)))
                    case .int64: chunk.columns[c] = CatalogColumnChunk(.int64(try file.readColumn(c, as: Int64.self, firstRow: first, count: n)))
                    case .string: chunk.columns[c] = CatalogColumnChunk(.string(try file.readStrings(c, firstRow: first, count: n)))
                    case .bool: chunk.columns[c] = CatalogColumnChunk(.bool(try file.readLogicals(c, firstRow: first, count: n)))
                    }
                }
            } catch let e as FITSError {
                throw LocatedError(file: path, column: e.column, row: e.row, message: e.message)
            }
            try body(chunk)
            first += n
        }
    }
}
