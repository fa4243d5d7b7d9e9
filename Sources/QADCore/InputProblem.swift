/// One piece of bad input found while reading: the row or file is skipped and
/// the problem is reported, never thrown past the file that caused it.
public struct InputProblem: Error, Hashable, Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var hdu: String?
    public var column: String?
    public var row: Int?
    public var message: String

    public init(file: String, hdu: String? = nil, column: String? = nil, row: Int? = nil, message: String) {
        self.file = file
        self.hdu = hdu
        self.column = column
        self.row = row
        self.message = message
    }

    public var description: String {
        var location = file
        if let hdu { location += " HDU \(hdu)" }
        if let column { location += " column \(column)" }
        if let row { location += " row \(row)" }
        return "\(location): \(message)"
    }
}
