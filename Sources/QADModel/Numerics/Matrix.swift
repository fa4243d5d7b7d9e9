/// A row-major Float32 matrix in one contiguous array: the value type the
/// model's public API takes and returns (inputs, latents, reconstructions,
/// exported weights). Hot loops work on `MatrixView`s of it, never on the array.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0)
        self.rows = rows
        self.columns = columns
        values = [Float](repeating: value, count: rows * columns)
    }

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "\(values.count) values for a \(rows)x\(columns) matrix")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// One row as an array.
    public func row(_ r: Int) -> [Float] {
        Array(values[(r * columns)..<((r + 1) * columns)])
    }

    /// Runs `body` with a mutable view of the storage.
    public mutating func withView<R>(_ body: (MatrixView) throws -> R) rethrows -> R {
        let (r, c) = (rows, columns)
        return try values.withUnsafeMutableBufferPointer { buffer in
            try body(MatrixView(base: buffer.baseAddress!, rows: r, columns: c, stride: c))
        }
    }
}
