import QADCore

/// A FITS failure, always naming the file and, where known, the HDU, column and row.
public struct FITSError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var hdu: String?
    public var column: String?
    public var row: Int?
    /// cfitsio status code, when the failure came from cfitsio.
    public var status: Int32?
    public var message: String

    public init(file: String, hdu: String? = nil, column: String? = nil, row: Int? = nil,
                status: Int32? = nil, message: String) {
        self.file = file
        self.hdu = hdu
        self.column = column
        self.row = row
        self.status = status
        self.message = message
    }

    public var description: String {
        var location = file
        if let hdu { location += " HDU \(hdu)" }
        if let column { location += " column \(column)" }
        if let row { location += " row \(row)" }
        return "\(location): \(message)"
    }

    /// The same failure as an input problem for the ingest summary.
    public var problem: InputProblem {
        InputProblem(file: file, hdu: hdu, column: column, row: row, message: message)
    }
}
