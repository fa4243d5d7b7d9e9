/// A window on row-major Float32 storage owned by someone else (a `Matrix`,
/// a `FloatBuffer`, a memory-mapped cache): rows of `columns` values, each
/// `stride` apart, so column blocks are views too and BLAS can take them
/// without copying. Valid only while the owner keeps the memory alive.
public struct MatrixView: @unchecked Sendable {
    // @unchecked: a raw pointer; parallel code hands each thread its own rows.
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let columns: Int
    public let stride: Int

    public init(base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
        precondition(stride >= columns && rows >= 0 && columns >= 0)
        self.base = base
        self.rows = rows
        self.columns = columns
        self.stride = stride
    }

    @inline(__always)
    public subscript(row: Int, column: Int) -> Float {
        get { base[row * stride + column] }
        nonmutating set { base[row * stride + column] = newValue }
    }

    @inline(__always)
    public func rowPointer(_ r: Int) -> UnsafeMutablePointer<Float> { base + r * stride }

    /// The block of rows `range`.
    public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        return MatrixView(base: base + range.lowerBound * stride, rows: range.count, columns: columns, stride: stride)
    }

    /// The block of columns `range` (same rows, same stride).
    public func columns(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns)
        return MatrixView(base: base + range.lowerBound, rows: rows, columns: range.count, stride: stride)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        if stride == columns {
            base.update(repeating: value, count: rows * columns)
        } else {
            for r in 0..<rows { rowPointer(r).update(repeating: value, count: columns) }
        }
    }

    /// Copies `source` (same shape) into this view.
    public func copy(from source: MatrixView) {
        precondition(source.rows == rows && source.columns == columns)
        for r in 0..<rows { rowPointer(r).update(from: source.rowPointer(r), count: columns) }
    }

    /// The contents as a `Matrix` (a copy).
    public func toMatrix() -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        m.withView { $0.copy(from: self) }
        return m
    }
}
