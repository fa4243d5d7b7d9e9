import Foundation
import QADCore

/// An external catalog read in chunks of rows, so catalogs larger than memory
/// stream through the matcher.
public protocol ExternalCatalog: AnyObject {
    var path: String { get }
    /// Column names as the file spells them.
    var columnNames: [String] { get }
    /// Rows, when the format knows them before reading.
    var rowCount: Int? { get }
    func kind(of column: String) throws(LocatedError) -> CatalogValueKind
    /// The column's unit as the file declares it (FITS TUNIT), if any.
    func unit(of column: String) -> String?
    /// Calls `body` with successive chunks of about `rows` rows holding `columns`
    /// (names as the file spells them).
    func forEachChunk(columns: [String], rows: Int, _ body: (CatalogChunk) throws -> Void) throws
}

extension ExternalCatalog {
    /// The file's spelling of a column name, matched case-insensitively.
    public func resolve(_ name: String) -> String? {
        if columnNames.contains(name) { return name }
        let lower = name.lowercased()
        return columnNames.first { $0.lowercased() == lower }
    }

    /// Like `resolve`, but a missing column is an error that lists what the file has.
    public func require(_ name: String, role: String) throws(LocatedError) -> String {
        guard let found = resolve(name) else {
            let shown = columnNames.prefix(40).joined(separator: ", ") + (columnNames.count > 40 ? ", …" : "")
            throw LocatedError(file: path, column: name, message: "no such column (wanted as \(role)); the file has: \(shown)")
        }
        return found
    }
}

/// Opens an external catalog by its extension: .fits/.fit/.fits.gz (first
/// binary table), .csv, .parquet.
public func openExternalCatalog(_ path: String) throws -> any ExternalCatalog {
    guard FileManager.default.fileExists(atPath: path) else {
        throw LocatedError(file: path, message: "no such file")
    }
    let lower = path.lowercased()
    if lower.hasSuffix(".parquet") || lower.hasSuffix(".pq") { return try ParquetCatalog(path: path) }
    if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") { return try CSVCatalog(path: path) }
    if lower.hasSuffix(".fits") || lower.hasSuffix(".fit") || lower.hasSuffix(".fits.gz") || lower.hasSuffix(".fts") {
        return try FITSCatalog(path: path)
    }
    throw LocatedError(file: path, message: "unknown catalog format: expected .fits, .fits.gz, .csv or .parquet")
}
