import Foundation
import QADStore

/// Remembers how many candidates each queue filter selects for a minute:
/// counting a million-row join per queue page would cost more than the page,
/// and the scores change only when `qad score` runs again.
final class SelectionCounts: @unchecked Sendable {
    // @unchecked: the dictionary is only touched under the lock.
    private let lock = NSLock()
    private var counts: [String: (count: Int, at: Date)] = [:]
    static let lifetime: TimeInterval = 60

    func count(_ query: CandidateQuery, compute: (CandidateQuery) throws -> Int) throws -> Int {
        var key = query
        key.limit = nil
        key.offset = 0
        let name = String(describing: key)
        if let hit = lock.withLock({ counts[name] }), Date().timeIntervalSince(hit.at) < Self.lifetime { return hit.count }
        let n = try compute(query)
        lock.withLock { counts[name] = (n, Date()) }
        return n
    }
}
