import Dispatch

/// Runs `body(i)` for `i` in `0..<count` on up to `count` threads and waits.
/// CPU-bound numeric work: Dispatch's pool, not Swift concurrency's
/// cooperative one, so a blocking BLAS call never starves other tasks.
@inline(__always)
public func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count <= 1 {
        if count == 1 { body(0) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// Splits `0..<total` into `parts` contiguous, nearly equal ranges.
public func splitRange(_ total: Int, parts: Int) -> [Range<Int>] {
    let p = max(1, parts)
    return (0..<p).map { i in (total * i / p)..<(total * (i + 1) / p) }
}

/// `body(i)` for every `i` in `0..<count`, computed on `threads` threads in
/// contiguous slices (four per thread, so an uneven slice does not hold up
/// the rest), returned in index order.
public func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let ranges = splitRange(count, parts: min(max(1, threads) * 4, count))
    let slots = SharedArray<[T]>(repeating: [], count: ranges.count)
    withoutActuallyEscaping(body) { body in
        let work = UnsafeSendable(body)
        parallelFor(ranges.count) { p in slots[p] = ranges[p].map { work.value($0) } }
    }
    var out: [T] = []
    out.reserveCapacity(count)
    for p in ranges.indices { out += slots[p] }
    return out
}

/// A value handed to parallel workers that only read it (a closure or a
/// structure of read-only buffers the compiler cannot prove Sendable).
public struct UnsafeSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// A fixed-size array that parallel workers write at disjoint indices
/// (per-item results of slices computed on different threads).
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

    /// The elements' storage, for workers that write a run of slots at once.
    public var pointer: UnsafeMutablePointer<Element> { storage }

    public var array: [Element] { Array(UnsafeBufferPointer(start: storage, count: count)) }
}

/// Runs `body` over `0..<total` in blocks of `blockSize` on exactly `threads`
/// workers, each taking the next unclaimed block, so uneven blocks (k-NN
/// queries near outliers, files of different sizes) do not leave a core idle.
/// Callers write each item's result to its own slot, so results never depend
/// on the number of threads or on timing.
public func parallelBlocks(total: Int, blockSize: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
    guard total > 0 else { return }
    let blocks = (total + blockSize - 1) / blockSize
    let workers = max(1, min(threads, blocks))
    if workers == 1 {
        body(0..<total)
        return
    }
    let next = Locked(0)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let b: Int = next.withLock { n in
                let claimed = n
                n += 1
                return claimed
            }
            guard b < blocks else { return }
            body((b * blockSize)..<min(total, (b + 1) * blockSize))
        }
    }
}
