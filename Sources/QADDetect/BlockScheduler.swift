import Foundation

/// Runs work over `0..<total` in blocks on exactly `threads` workers, each
/// taking the next unclaimed block (so uneven blocks, as in k-NN queries near
/// outliers, do not leave a core idle). Callers write each item's result to its
/// own slot, so results never depend on the number of threads or on timing.
enum BlockScheduler {
    static func run(total: Int, blockSize: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard total > 0 else { return }
        let blocks = (total + blockSize - 1) / blockSize
        let workers = max(1, min(threads, blocks))
        if workers == 1 {
            body(0..<total)
            return
        }
        let next = BlockCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let b = next.claim(below: blocks) {
                body((b * blockSize)..<min(total, (b + 1) * blockSize))
            }
        }
    }
}

/// The next block number, shared by the workers (a lock per block of
/// hundreds of points costs nothing measurable).
private final class BlockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func claim(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// A fixed-size output array that parallel workers fill, each in its own
/// slots; read only after the parallel section has returned.
final class SharedOutput<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, initialValue: Element) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: initialValue, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    var array: [Element] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
