import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADFormats
import QADPipeline
import QADStore

/// `qad epochs` on the store: every object with repeat epochs compared, its
/// variability calibrated among all stored pairs, and `--truth` evaluation.
extension Epochs {
    /// One stored object's comparison.
    struct StoredObject {
        var id: Int64
        var primary: SpectrumRecord
        var names: [String]
        var pairs: [EpochDifference]
        /// Per pair: the fainter epoch's S/N.
        var pairSNR: [Double]
        var variability = Double.nan
        var pairVariability: [Double] = []

        /// What the store keeps of it: the most variable pair, every pair's flags.
        var record: EpochVariabilityRecord {
            let k = pairVariability.indices.max { pairVariability[$0] < pairVariability[$1] } ?? 0
            let d = pairs[k]
            var seen = Set<String>()
            let looks = pairs.flatMap(\.changingLook).map(\.description).filter { seen.insert($0).inserted }
            let classes = pairs.compactMap(\.classChange)
            return EpochVariabilityRecord(
                object: id, epochs: names.count, restFrameDays: d.restFrameDays, variability: variability,
                changingLook: looks.isEmpty ? nil : looks.joined(separator: "; "),
                classChange: classes.first, redshiftConflict: pairs.contains(where: \.redshiftConflict),
                localSignificance: d.localSignificance, localRestLambda: d.localRestLambda, continuumRatio: d.continuumRatio,
                lines: Dictionary(d.lines.map { ($0.line, ($0.ratio, $0.significance)) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    /// Compares every stored object with more than one epoch (or `target`),
    /// and scores each pair's variability among all of them; also returns
    /// every stored epoch, grouped by object.
    func compareStore(_ store: any Store) throws -> (objects: [StoredObject], all: [EpochRecord],
                                                     byObject: [Int64: [EpochRecord]]) {
        let all = try store.epochs()
        let byObject = Dictionary(grouping: all, by: \.object)
        let wanted = byObject.filter { $0.value.count > 1 && (target == nil || $0.key == target) }.keys.sorted()
        let reader = StoredEpochReader()
        var objects: [StoredObject] = []
        objects.reserveCapacity(wanted.count)
        // In chunks of objects, each file's rows read at once: memory holds
        // one chunk's spectra, and each file's images are visited once a chunk.
        let chunk = 500
        for start in stride(from: 0, to: wanted.count, by: chunk) {
            let ids = wanted[start..<min(start + chunk, wanted.count)]
            let records = ids.map { byObject[$0]!.sorted(by: Self.earlierEpoch) }
            let spectra = try reader.read(records.flatMap { $0 })
            var next = 0
            for (id, epochs) in zip(ids, records) {
                guard let primary = try store.spectrum(id) else { next += epochs.count; continue }
                let mine = Array(spectra[next..<(next + epochs.count)])
                next += epochs.count
                let snr = epochs.indices.dropFirst().map { i in
                    min(epochs[pairs == .first ? 0 : i - 1].spectrum.snr, epochs[i].spectrum.snr)
                }
                objects.append(StoredObject(id: id, primary: primary, names: mine.map(\.name), pairs: compare(mine),
                                            pairSNR: snr))
            }
        }
        // Every pair of every object is calibrated against all the others, so
        // one object alone shows what the last run over all of them stored.
        if let target {
            for k in objects.indices { objects[k].variability = try store.epochVariability(of: target)?.variability ?? .nan }
            return (objects, all, byObject)
        }
        var evidence: [PairEvidence] = [], owner: [Int] = []
        for (k, o) in objects.enumerated() {
            for (d, snr) in zip(o.pairs, o.pairSNR) {
                evidence.append(PairEvidence(d, snr: snr))
                owner.append(k)
            }
        }
        for (k, v) in zip(owner, VariabilityScore.scores(evidence)) {
            objects[k].variability = objects[k].variability.isNaN ? v : max(objects[k].variability, v)
            objects[k].pairVariability.append(v)
        }
        try store.replaceEpochVariability(objects.map(\.record))
        return (objects, all, byObject)
    }

    /// Earliest first, as `Store.epochs(of:)` orders them: by the sum of the
    /// MJD range, undated epochs last, then by cache row.
    static func earlierEpoch(_ a: EpochRecord, _ b: EpochRecord) -> Bool {
        func key(_ e: EpochRecord) -> (Int, Double, String, Int) {
            guard let lo = e.mjdMin, let hi = e.mjdMax else { return (1, 0, e.spectrum.cacheShard, e.spectrum.cacheRow) }
            return (0, lo + hi, e.spectrum.cacheShard, e.spectrum.cacheRow)
        }
        return key(a) < key(b)
    }

    /// The store's objects with more than one epoch, most variable first, each
    /// epoch read again from its file with the redshift it was ingested with
    /// (so a redshift conflict between epochs still shows); then the redshift
    /// conflicts between objects.
    func storedObjects() throws -> (list: [RepeatObject], heading: String) {
        let store = try common.openProject().store
        let (objects, all, byObject) = try compareStore(store)
        let objectOf = Dictionary(all.map { ($0.spectrum.targetid, $0.object) }, uniquingKeysWith: { a, _ in a })
        let conflicts = EpochLinker(radiusArcsec: radius).conflicts(all).filter {
            target == nil || $0.targetids.contains { objectOf[$0] == target }
        }
        if let target, objects.isEmpty, conflicts.isEmpty {
            throw LocatedError(file: store.location, message: "object \(target) has \(byObject[target]?.count ?? 0) epoch(s) in the store "
                               + "and no redshift conflict; comparing needs two or more spectra")
        }
        var list = objects.sorted { ($0.variability, $1.id) > ($1.variability, $0.id) }.map { o in
            RepeatObject(targetid: o.id, variability: o.variability.isNaN ? nil : o.variability, ra: o.primary.ra ?? .nan, dec: o.primary.dec ?? .nan,
                         spectra: o.names, pairs: o.pairs)
        }
        let reader = StoredEpochReader()
        for c in conflicts {
            let records = c.targetids.map { id in all.first { $0.spectrum.targetid == id }! }
            let pair = try reader.read(records).sorted { $0.mjd < $1.mjd }
            let first = records[0].spectrum
            list.append(RepeatObject(targetid: c.targetids[0], redshiftConflict: true, ra: first.ra ?? .nan,
                                     dec: first.dec ?? .nan, spectra: pair.map(\.name), pairs: compare(pair)))
        }
        return (list, "\(objects.count) object(s) with repeat epochs in \(store.location) "
                + "(\(byObject.count) objects, \(all.count) spectra), most variable first"
                + (conflicts.isEmpty ? "" : "; \(conflicts.count) redshift conflict(s) between objects within \(radius)″"))
    }

    /// `--truth`: how well `variability` and the changing-look flag find the
    /// changed repeats of `qad simulate --epochs`.
    func evaluate(truth path: String) throws {
        let truth = try EpochTruth(path: path)
        let objects = try compareStore(try common.openProject().store).objects
        let rows = objects.map { o in
            EpochEvaluation.Row(object: o.id, variability: o.variability, snr: o.pairSNR.min() ?? .nan,
                                restFrameDays: o.pairs.first?.restFrameDays ?? .nan,
                                changingLook: o.pairs.contains { !$0.changingLook.isEmpty })
        }
        for line in try EpochEvaluation.report(rows, truth: truth, source: path) { print(line) }
        // Detectable changing looks: the faded line measured at ≥ 5σ in its bright state.
        let detectable = objects.filter { o in
            guard truth.kinds[o.id]?.hasPrefix("CL_") == true, let line = truth.details[o.id].flatMap(Self.fadedLine) else {
                return false
            }
            return o.pairs.contains { d in
                d.lines.contains { c in
                    c.line == line && max(c.earlier.flux / c.earlier.fluxError, c.later.flux / c.later.fluxError)
                        >= EpochComparison.brightSigma
                }
            }
        }
        let found = detectable.count { o in o.pairs.contains { !$0.changingLook.isEmpty } }
        print("  recall among the \(detectable.count) CL_ whose line is detected at ≥ 5σ in its bright state "
              + String(format: "%.3f", Double(found) / Double(max(detectable.count, 1))))
    }

    /// The line name `EpochComparison` uses for the truth table's faded line.
    static func fadedLine(_ details: String) -> String? {
        if details.contains("line=Hb") { return "Hβ" }
        if details.contains("line=MgII") { return "MgII" }
        return nil
    }
}
