import Foundation

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
