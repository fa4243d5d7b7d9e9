/// A fixed-size array that parallel workers write at disjoint indices
/// (per-spectrum results of batches computed on different threads).
public final class SharedArray<Element>: @unchecked Sendable {
    // @unchecked: callers guarantee each index is written by one thread, and
    // read only after `parallelFor` returns.
    public let count: Int
    private let storage: UnsafeMutablePointer<Element>

    public init(repeating value: Element, count: Int) {
        self.count = count
        storage = .allocate(capacity: max(1, count))
        storage.initialize(repeating: value, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    @inline(__always)
    public subscript(i: Int) -> Element {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    public var array: [Element] { Array(UnsafeBufferPointer(start: storage, count: count)) }
}
