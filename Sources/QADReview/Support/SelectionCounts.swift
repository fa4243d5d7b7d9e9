import Foundation
import QADCore
import QADDetect

/// Remembers how many candidates each queue filter selects for a minute:
/// counting a million-row join per queue page would cost more than the page,
/// and the scores change only when `qad score` runs again.
final class SelectionCounts: Sendable {
    private let counts = Locked<[String: (count: Int, at: Date)]>([:])
    static let lifetime: TimeInterval = 60

    func count(_ query: CandidateQuery, compute: (CandidateQuery) throws -> Int) throws -> Int {
        var key = query
        key.limit = nil
        key.offset = 0
        let name = String(describing: key)
        if let hit = counts.withLock({ $0[name] }), Date().timeIntervalSince(hit.at) < Self.lifetime { return hit.count }
        let n = try compute(query)
        counts.withLock { $0[name] = (n, Date()) }
        return n
    }
}
