/// Owned, 64-byte aligned Float32 storage for parameters, gradients, optimizer
/// moments and per-thread workspaces. A class, so hot loops take its pointer
/// once: no copy-on-write checks and no exclusivity checks per element.
public final class FloatBuffer: @unchecked Sendable {
    // @unchecked: the owner decides who writes; parallel code only ever writes
    // disjoint ranges or its own buffer.
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int, repeating value: Float = 0) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: value, count: count)
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Elements `offset ..< offset + rows·columns` as a row-major matrix view.
    public func view(offset: Int = 0, rows: Int, columns: Int) -> MatrixView {
        precondition(offset >= 0 && offset + rows * columns <= count, "view past the end of the buffer")
        return MatrixView(base: pointer + offset, rows: rows, columns: columns, stride: columns)
    }

    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count)
        pointer.update(from: other.pointer, count: count)
    }
}
