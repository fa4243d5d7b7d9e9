import Foundation
import QADCore
import QADCrossmatch
import QADStore

/// Joins the stored spectra into objects and chooses each object's primary
/// (docs/epochs.md, "Epochs in the store"). It works from the whole store
/// every time, so the result does not depend on the order files came in, and
/// running it again changes nothing.
///
/// - Spectra with one TARGETID are one object (DESI's re-observations).
/// - Spectra with different ids are one object when they lie within
///   `radiusArcsec` of each other (friends of friends, exact on the sphere)
///   and their redshifts agree within `redshiftTolerance`·(1 + z), or one of
///   them is not classified a quasar: a re-observation the pipeline called a
///   star carries no redshift that could contradict the other.
/// - The primary is the epoch with the highest S/N among those classified a
///   quasar (by the pipeline, or by being in a catalog), else among all.
/// - The object's TARGETID is its smallest DESI TARGETID, or, with no DESI
///   epoch, the id of its earliest SDSS spectrum. So a later SDSS epoch never
///   renames an object, and a DESI spectrum gives its object the DESI id.
public struct EpochLinker: Sendable {
    public var radiusArcsec: Double
    public var redshiftTolerance: Double

    public init(radiusArcsec: Double = 1, redshiftTolerance: Double = 0.01) {
        self.radiusArcsec = radiusArcsec
        self.redshiftTolerance = redshiftTolerance
    }

    /// What linking found and changed.
    public struct Summary: Sendable, Equatable {
        public var epochs = 0
        public var objects = 0
        /// Objects with more than one epoch.
        public var repeated = 0
        /// Epochs that joined another object.
        public var moved = 0
        /// Objects whose primary record was written (new ones included).
        public var primariesWritten = 0
        /// Quasar spectra within the radius whose redshifts disagree: kept as
        /// separate objects, and reported, since one of the redshifts is wrong.
        public var conflicts: [RedshiftConflict] = []
        /// Model outputs were forgotten: they described spectra that are no
        /// longer their object's primary (a primary changed, a file was redone).
        public var invalidatedModelOutputs = false
    }

    /// Links the store's epochs and writes what changed, in one transaction.
    public func link(_ store: any Store) throws -> Summary {
        let epochs = try store.epochs()
        let current = try store.spectra()
        let (links, objects, conflicts) = planned(epochs: epochs, current: current)
        let forgotten = try store.applyEpochLinks(links)
        var summary = Summary()
        summary.epochs = epochs.count
        summary.objects = objects.count
        summary.repeated = objects.filter { $0.count > 1 }.count
        summary.moved = links.moved.count
        summary.primariesWritten = links.primaries.count
        summary.invalidatedModelOutputs = forgotten
        summary.conflicts = conflicts
        return summary
    }

    /// Two quasar spectra of different ids within the radius whose redshifts
    /// disagree by more than the tolerance.
    public struct RedshiftConflict: Sendable, Equatable, Encodable {
        public var targetids: [TargetID]
        public var redshifts: [Double]
        public var separationArcsec: Double
    }

    /// Every redshift conflict among `epochs`, ordered by the first id.
    public func conflicts(_ epochs: [EpochRecord]) -> [RedshiftConflict] {
        groups(epochs).conflicts
    }

    /// The changes that bring `current` (the spectrum table) in line with the
    /// objects `epochs` form, and those objects (indices into `epochs`).
    public func plan(epochs: [EpochRecord], current: [SpectrumRecord]) -> (EpochLinks, [[Int]]) {
        let p = planned(epochs: epochs, current: current)
        return (p.links, p.objects)
    }

    /// `plan`, and the redshift conflicts the same grouping found.
    func planned(epochs: [EpochRecord], current: [SpectrumRecord])
        -> (links: EpochLinks, objects: [[Int]], conflicts: [RedshiftConflict]) {
        let (objects, conflicts) = groups(epochs)
        var links = EpochLinks()
        var planned: [TargetID: SpectrumRecord] = [:]
        for members in objects {
            let id = objectID(members.map { epochs[$0] })
            let primary = members.map { epochs[$0] }.max(by: Self.ranksBelow)!
            var record = primary.spectrum
            record.targetid = id
            planned[id] = record
            for i in members where epochs[i].object != id {
                links.moved.append(EpochMove(key: epochs[i].key, object: id))
            }
        }
        let existing = Dictionary(current.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a })
        links.removedObjects = existing.keys.filter { planned[$0] == nil }.sorted()
        links.primaries = planned.values.filter { existing[$0.targetid] != $0 }.sorted { $0.targetid < $1.targetid }
        return (links, objects, conflicts)
    }

    /// Indices of the epochs of each object, each in increasing order; and the
    /// pairs within the radius that `compatible` kept apart.
    func groups(_ epochs: [EpochRecord]) -> (objects: [[Int]], conflicts: [RedshiftConflict]) {
        var parent = Array(epochs.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        func join(_ a: Int, _ b: Int) {
            let (x, y) = (root(a), root(b))
            if x != y { parent[max(x, y)] = min(x, y) }
        }
        var firstOfID: [TargetID: Int] = [:]
        for (i, e) in epochs.enumerated() {
            if let j = firstOfID[e.spectrum.targetid] { join(i, j) } else { firstOfID[e.spectrum.targetid] = i }
        }
        let placed = epochs.indices.filter {
            guard let ra = epochs[$0].spectrum.ra, let dec = epochs[$0].spectrum.dec else { return false }
            return ra.isFinite && dec.isFinite && abs(dec) <= 90
        }
        let tolerance = redshiftTolerance
        var conflicts: [RedshiftConflict] = []
        // `accept` is asked about every pair within the radius, once: the ones
        // it turns down are the conflicts.
        let found = SkyGroups.friendsOfFriends(
            ra: placed.map { epochs[$0].spectrum.ra! }, dec: placed.map { epochs[$0].spectrum.dec! },
            radiusArcsec: radiusArcsec,
            accept: { a, b in
                let (x, y) = (epochs[placed[a]].spectrum, epochs[placed[b]].spectrum)
                if Self.compatible(x, y, tolerance: tolerance) { return true }
                let (first, second) = x.targetid < y.targetid ? (x, y) : (y, x)
                conflicts.append(RedshiftConflict(
                    targetids: [first.targetid, second.targetid], redshifts: [first.z, second.z],
                    separationArcsec: SkyGeometry.separationArcsec(ra1: x.ra!, dec1: x.dec!, ra2: y.ra!, dec2: y.dec!)))
                return false
            })
        for g in found { for k in g.dropFirst() { join(placed[g[0]], placed[k]) } }
        var members: [Int: [Int]] = [:]
        for i in epochs.indices { members[root(i), default: []].append(i) }
        return (members.values.sorted { $0[0] < $1[0] },
                conflicts.sorted { ($0.targetids[0], $0.targetids[1]) < ($1.targetids[0], $1.targetids[1]) })
    }

    /// Whether two spectra near each other on the sky may be one object.
    static func compatible(_ a: SpectrumRecord, _ b: SpectrumRecord, tolerance: Double) -> Bool {
        if a.targetid == b.targetid { return true }
        guard isQuasar(a), isQuasar(b) else { return true }
        return abs(a.z - b.z) <= tolerance * (1 + max(a.z, b.z))
    }

    /// Classified a quasar: by the pipeline, or by a catalog that lists it.
    static func isQuasar(_ s: SpectrumRecord) -> Bool {
        s.spectype?.uppercased() == "QSO" || s.zSource == RedshiftSource.catalog.rawValue
            || s.zSource == RedshiftSource.ard.rawValue
    }

    /// The order the primary is chosen by: quasar class, then S/N, then the
    /// earlier cache row (so ties resolve the same way every time).
    static func ranksBelow(_ a: EpochRecord, _ b: EpochRecord) -> Bool {
        let (qa, qb) = (isQuasar(a.spectrum), isQuasar(b.spectrum))
        if qa != qb { return !qa }
        if a.spectrum.snr != b.spectrum.snr { return a.spectrum.snr < b.spectrum.snr }
        return (a.spectrum.cacheShard, a.spectrum.cacheRow) > (b.spectrum.cacheShard, b.spectrum.cacheRow)
    }

    /// The smallest DESI TARGETID, else the earliest SDSS spectrum's id.
    func objectID(_ epochs: [EpochRecord]) -> TargetID {
        let ids = epochs.map(\.spectrum.targetid)
        if let desi = ids.filter({ sdssPlateMJDFiber($0) == nil }).min() { return desi }
        return ids.min { a, b in
            let (ma, mb) = (sdssPlateMJDFiber(a)!.mjd, sdssPlateMJDFiber(b)!.mjd)
            return ma != mb ? ma < mb : a < b
        }!
    }
}
