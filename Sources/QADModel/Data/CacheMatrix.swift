import Foundation
import QADFormats

/// The rows of several cache shards' `.npy` matrices seen as one matrix:
/// global row r is row r − start of the shard whose range holds it. Workers
/// write one shard per input file, so a shared store's cache is many files;
/// training and inference index it like one.
public final class CacheMatrix: @unchecked Sendable {
    // @unchecked: read-only mappings.
    public let parts: [MappedNPYMatrix]
    /// First global row of each part, ascending.
    public let starts: [Int]
    public let rows: Int
    public let columns: Int

    public init(parts: [MappedNPYMatrix], columns: Int) {
        self.parts = parts
        var starts: [Int] = []
        var n = 0
        for p in parts {
            starts.append(n)
            n += p.rows
        }
        self.starts = starts
        rows = n
        self.columns = columns
    }

    /// The part holding global row `r`, and the row within it.
    @inline(__always)
    public func locate(_ r: Int) -> (part: Int, row: Int) {
        if parts.count == 1 { return (0, r) }
        var lo = 0, hi = starts.count - 1  // the last start <= r
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= r { lo = mid } else { hi = mid - 1 }
        }
        return (lo, r - starts[lo])
    }

    @inline(__always)
    public func row(_ r: Int) -> UnsafePointer<Float> {
        let (p, local) = locate(r)
        return parts[p].row(local)
    }

    public func advise(random: Bool) {
        for p in parts { p.advise(random: random) }
    }

    /// Drops global rows `range` from this process's resident set.
    public func release(rows range: Range<Int>) {
        guard !range.isEmpty else { return }
        let first = locate(range.lowerBound).part, last = locate(range.upperBound - 1).part
        for p in first...last {
            let lo = max(range.lowerBound, starts[p]) - starts[p]
            let hi = min(range.upperBound, starts[p] + parts[p].rows) - starts[p]
            parts[p].release(rows: lo..<hi)
        }
    }
}
