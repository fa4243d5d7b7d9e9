/// A cross-match failure, naming the file and, where known, the column and row
/// (rows count from 0, as in the catalog's own table; CSV lines from 1).
public struct CrossmatchError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var column: String?
    public var row: Int?
    public var line: Int?
    public var message: String

    public init(file: String, column: String? = nil, row: Int? = nil, line: Int? = nil, message: String) {
        self.file = file
        self.column = column
        self.row = row
        self.line = line
        self.message = message
    }

    public var description: String {
        var location = file
        if let column { location += " column \(column)" }
        if let row { location += " row \(row)" }
        if let line { location += " (line \(line))" }
        return "\(location): \(message)"
    }
}
