/// A failure that names where it happened: the file (or store), the HDU,
/// table or row group, the column, the row or line. Every layer throws this
/// one type for its own bad input or state, so a message always reads the
/// same way: `FILE HDU PART column C row R (line L): what is wrong`.
/// (FITS and Parquet keep their own errors: a cfitsio status code and a
/// page locator; both turn into an `InputProblem` for the ingest summary.)
public struct LocatedError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    /// HDU, table or row group.
    public var part: String?
    public var column: String?
    /// Row number, or the key that names a stored row (e.g. "TARGETID 39627…").
    public var row: String?
    /// 1-based line of a text file.
    public var line: Int?
    public var message: String

    /// A failure whose message already says where it is.
    public init(_ message: String) {
        self.message = message
    }

    public init(file: String? = nil, part: String? = nil, column: String? = nil, row: Int? = nil, line: Int? = nil,
                message: String) {
        self.file = file
        self.part = part
        self.column = column
        self.row = row.map(String.init)
        self.line = line
        self.message = message
    }

    public init(file: String? = nil, part: String? = nil, column: String? = nil, rowKey: String?, message: String) {
        self.file = file
        self.part = part
        self.column = column
        self.row = rowKey
        self.message = message
    }

    public var description: String {
        var location: [String] = []
        if let file { location.append(file) }
        if let part { location.append(part) }
        if let column { location.append("column \(column)") }
        if let row { location.append("row \(row)") }
        if let line { location.append("(line \(line))") }
        return location.isEmpty ? message : location.joined(separator: " ") + ": " + message
    }

    /// The same failure as an input problem for the ingest summary.
    public var problem: InputProblem {
        InputProblem(file: file ?? "", hdu: part, column: column, row: row.flatMap { Int($0) }, message: message)
    }
}
