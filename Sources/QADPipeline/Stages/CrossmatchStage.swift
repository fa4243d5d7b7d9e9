import Foundation
import QADCore
import QADCrossmatch
import QADStore

/// `qad crossmatch`: the store's targets matched against an external catalog
/// (`Crossmatcher`), the matches stored under a name, replacing that name's
/// earlier ones in one transaction.
public struct CrossmatchStage {
    public let project: ProjectStore
    /// Reports catalog rows read and rows per second, every few seconds.
    public var progress: (_ rowsRead: Int, _ rowsPerSecond: Double) -> Void = { _, _ in }

    public init(project: ProjectStore) {
        self.project = project
    }

    /// What a run found.
    public struct Outcome: Sendable {
        public var result: CrossmatchResult
        public var targets: Int
        /// Spectra without RA/Dec, which cannot be matched.
        public var unplaced: Int
    }

    /// Matches every target with a position and stores the matches under `name`;
    /// `pairsOut`: also write every pair within the radius as CSV.
    public func run(_ request: CrossmatchRequest, name: String, pairsOut: String? = nil) throws -> Outcome {
        let store = project.store
        let positions = try store.targetPositions()
        let unplaced = try store.targetsWithoutPosition()
        guard !positions.isEmpty else {
            throw LocatedError("\(project.location): no spectra with positions to match (run qad ingest first)")
        }
        let targets = try SkyTargets(ids: positions.map(\.targetid), ra: positions.map(\.ra), dec: positions.map(\.dec),
                                     source: project.catalogLocation + " spectrum")
        let matcher = Crossmatcher(targets: targets)
        var pairs: PairsCSVWriter?
        let result: CrossmatchResult
        let started = Date()
        var lastReport = started
        do {
            pairs = try pairsOut.map { try PairsCSVWriter(path: $0) }
            result = try matcher.run(request, pairs: pairs) { read in
                if Date().timeIntervalSince(lastReport) >= 3 {
                    lastReport = Date()
                    progress(read, Double(read) / Date().timeIntervalSince(started))
                }
            }
            try pairs?.finish()
        } catch {
            pairs?.abandon()
            throw error
        }
        let (record, matches) = CrossmatchCatalogRecord.records(name: name, preset: request.preset?.name, result: result,
                                                                targets: targets)
        try store.replaceCrossmatch(record, matches: matches)
        return Outcome(result: result, targets: targets.count, unplaced: unplaced)
    }
}
