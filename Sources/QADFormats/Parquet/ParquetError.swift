import QADCore

/// A Parquet failure. Its message names the file and, where known, the row
/// group, column and page (pages count from 0 within a column chunk, the
/// dictionary page included), so a bad file can be found and reported.
public struct ParquetError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var rowGroup: Int?
    public var column: String?
    public var page: Int?
    public var message: String

    public init(file: String = "", rowGroup: Int? = nil, column: String? = nil, page: Int? = nil, message: String) {
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.page = page
        self.message = message
    }

    /// A failure found by a decoder that does not know where it is; the layers
    /// above add the location with `located`.
    init(_ message: String) {
        self.init(message: message)
    }

    public var description: String {
        var location = file.isEmpty ? "<parquet>" : file
        if let rowGroup { location += " row group \(rowGroup)" }
        if let column { location += " column \(column)" }
        if let page { location += " page \(page)" }
        return "\(location): \(message)"
    }

    /// Fills in the parts of the location that are not set yet.
    func located(file: String? = nil, rowGroup: Int? = nil, column: String? = nil, page: Int? = nil) -> ParquetError {
        var e = self
        if e.file.isEmpty, let file { e.file = file }
        if e.rowGroup == nil { e.rowGroup = rowGroup }
        if e.column == nil { e.column = column }
        if e.page == nil { e.page = page }
        return e
    }

    /// The same failure as an ingest problem: the row group stands where a FITS HDU would.
    public var problem: InputProblem {
        var text = message
        if let page { text = "page \(page): " + text }
        return InputProblem(file: file, hdu: rowGroup.map { "row group \($0)" }, column: column, message: text)
    }
}

/// Runs `body`, adding a location to any `ParquetError` it throws and turning
/// other errors into one.
@inline(__always)
func locating<T>(file: String? = nil, rowGroup: Int? = nil, column: String? = nil, page: Int? = nil,
                 _ body: () throws -> T) throws(ParquetError) -> T {
    do {
        return try body()
    } catch let e as ParquetError {
        throw e.located(file: file, rowGroup: rowGroup, column: column, page: page)
    } catch {
        throw ParquetError(file: file ?? "", rowGroup: rowGroup, column: column, page: page, message: "\(error)")
    }
}
