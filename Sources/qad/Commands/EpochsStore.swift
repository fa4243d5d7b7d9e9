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
                localSignificance: d.localSignificance, localRestLambda: d.localRestLambda, continuumRatio: d.continuumRatio)
        }
    }

    /// Compares every stored object with more than one epoch (or `target`),
    /// and scores each pair's variability among all of them.
    func compareStore(_ store: any Store) throws -> (objects: [StoredObject], all: [EpochRecord]) {
        let all = try store.epochs()
        var count: [Int64: Int] = [:]
        for e in all { count[e.object, default: 0] += 1 }
        let wanted = count.filter { $0.value > 1 && (target == nil || $0.key == target) }.keys.sorted()
        let reader = StoredEpochReader()
        var objects: [StoredObject] = []
        objects.reserveCapacity(wanted.count)
        // In chunks of objects, each file's rows read at once: memory holds
        // one chunk's spectra, and each file's images are visited once a chunk.
        let chunk = 500
        for start in stride(from: 0, to: wanted.count, by: chunk) {
            let ids = wanted[start..<min(start + chunk, wanted.count)]
            let records = try ids.map { try store.epochs(of: $0) }
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
        // Every pair of every object is calibrated against all the others.
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
        // The calibration is over every stored pair, so only a run over all
        // of them replaces what the store holds.
        if target == nil { try store.replaceEpochVariability(objects.map(\.record)) }
        return (objects, all)
    }

    /// The store's objects with more than one epoch, most variable first, each
    /// epoch read again from its file with the redshift it was ingested with
    /// (so a redshift conflict between epochs still shows); then the redshift
    /// conflicts between objects.
    func storedObjects() throws -> (list: [RepeatObject], heading: String) {
        let store = try common.openProject().store
        let (objects, all) = try compareStore(store)
        var count: [Int64: Int] = [:]
        for e in all { count[e.object, default: 0] += 1 }
        let objectOf = Dictionary(all.map { ($0.spectrum.targetid, $0.object) }, uniquingKeysWith: { a, _ in a })
        let conflicts = EpochLinker(radiusArcsec: radius).conflicts(all).filter {
            target == nil || $0.targetids.contains { objectOf[$0] == target }
        }
        if let target, objects.isEmpty, conflicts.isEmpty {
            throw LocatedError(file: store.location, message: "object \(target) has \(count[target] ?? 0) epoch(s) in the store "
                               + "and no redshift conflict; comparing needs two or more spectra")
        }
        var list = objects.sorted { ($0.variability, $1.id) > ($1.variability, $0.id) }.map { o in
            RepeatObject(targetid: o.id, variability: o.variability, ra: o.primary.ra ?? .nan, dec: o.primary.dec ?? .nan,
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
                + "(\(count.count) objects, \(all.count) spectra), most variable first"
                + (conflicts.isEmpty ? "" : "; \(conflicts.count) redshift conflict(s) between objects within \(radius)″"))
    }

    /// `--truth`: how well `variability` and the changing-look flag find the
    /// changed repeats of `qad simulate --epochs`.
    func evaluate(truth path: String) throws {
        let csv = try CSVReader(path: path)
        guard let idColumn = csv.header.firstIndex(of: "TARGETID"), let kindColumn = csv.header.firstIndex(of: "KIND") else {
            throw LocatedError(file: path, message: "needs columns TARGETID and KIND (qad simulate --epochs's epochs.csv)")
        }
        let detailColumn = csv.header.firstIndex(of: "DETAILS")
        var kinds: [Int64: String] = [:], details: [Int64: String] = [:]
        while let row = try csv.nextRow() {
            guard row.count > max(idColumn, kindColumn), let id = Int64(row[idColumn]) else {
                throw LocatedError(file: path, column: "TARGETID", line: csv.line, message: "not an integer TARGETID, or a short row")
            }
            kinds[id] = row[kindColumn]
            if let detailColumn, row.count > detailColumn { details[id] = row[detailColumn] }
        }
        let store = try common.openProject().store
        let objects = try compareStore(store).objects.filter { kinds[$0.id] != nil }
        guard !objects.isEmpty else {
            throw LocatedError(file: path, message: "none of its TARGETIDs is a stored object with repeat epochs")
        }
        let ordinary = "ORDINARY"
        let scores = objects.map(\.variability), labels = objects.map { kinds[$0.id] != ordinary }
        let snr = objects.map { $0.pairSNR.min() ?? .nan }, days = objects.map { $0.pairs.first?.restFrameDays ?? .nan }
        let changed = labels.count { $0 }
        print("\(objects.count) objects with repeat epochs in the truth table: \(changed) changed, \(objects.count - changed) ordinary")
        let top = try EvaluationMetrics.topCount(fraction: 0.01, of: objects.count)
        let rank = objects.indices.sorted { scores[$0] > scores[$1] }
        let inTop = Set(rank.prefix(top))
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        print("variability: ROC-AUC \(f(try EvaluationMetrics.rocAUC(scores: scores, labels: labels))), "
              + "S/N-matched \(f(try EvaluationMetrics.snrMatchedROCAUC(scores: scores, labels: labels, snr: snr))), "
              + "AP \(f(try EvaluationMetrics.averagePrecision(scores: scores, labels: labels))), "
              + "recall in the top 1 % (\(top)) \(f(Double(inTop.count { labels[$0] }) / Double(max(changed, 1))))")
        let normal = objects.indices.filter { !labels[$0] }
        print("  among ordinary quasars: ρ(variability, S/N) \(f(try EvaluationMetrics.spearman(normal.map { scores[$0] }, normal.map { snr[$0] }))), "
              + "ρ(variability, rest-frame baseline) \(f(try EvaluationMetrics.spearman(normal.map { scores[$0] }, normal.map { days[$0] })))")
        let percentile = EvaluationMetrics.averageRanks(scores).map { 100 * ($0 - 0.5) / Double(scores.count) }
        for kind in Set(kinds.values).subtracting([ordinary]).sorted() {
            let members = objects.indices.filter { kinds[objects[$0].id] == kind }
            guard !members.isEmpty else { continue }
            let found = members.count { inTop.contains($0) }
            let meanPercentile = members.map { percentile[$0] }.reduce(0, +) / Double(members.count)
            print("  \(kind.padding(toLength: 13, withPad: " ", startingAt: 0)) \(members.count) pairs: "
                  + "\(found) in the top 1 %, mean percentile \(String(format: "%.1f", meanPercentile))")
        }

        // The changing-look flag against the CL_ kinds.
        let flagged = objects.indices.filter { objects[$0].pairs.contains { !$0.changingLook.isEmpty } }
        let isCL = { (i: Int) in kinds[objects[i].id]!.hasPrefix("CL_") }
        let truePositives = flagged.count(where: isCL)
        let cl = objects.indices.filter(isCL)
        // Detectable: the faded line measured at ≥ 5σ in its bright state.
        let detectable = cl.filter { i in
            guard let line = details[objects[i].id].flatMap(Self.fadedLine) else { return false }
            return objects[i].pairs.contains { d in
                d.lines.contains { c in
                    c.line == line && max(c.earlier.flux / c.earlier.fluxError, c.later.flux / c.later.fluxError)
                        >= EpochComparison.brightSigma
                }
            }
        }
        let flaggedSet = Set(flagged)
        print("changing look: \(flagged.count) flagged, \(truePositives) of them CL_ kinds: precision "
              + "\(flagged.isEmpty ? "–" : f(Double(truePositives) / Double(flagged.count))); "
              + "recall \(f(Double(truePositives) / Double(max(cl.count, 1)))) of \(cl.count); "
              + "recall among the \(detectable.count) whose line is detected at ≥ 5σ in its bright state "
              + "\(f(Double(detectable.count { flaggedSet.contains($0) }) / Double(max(detectable.count, 1))))")
        let wrong = flagged.filter { !isCL($0) }.map { kinds[objects[$0].id]! }
        if !wrong.isEmpty {
            let tally = Dictionary(grouping: wrong, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted()
            print("  flagged but not CL_: " + tally.joined(separator: ", "))
        }
    }

    /// The line name `EpochComparison` uses for the truth table's faded line.
    static func fadedLine(_ details: String) -> String? {
        if details.contains("line=Hb") { return "Hβ" }
        if details.contains("line=MgII") { return "MgII" }
        return nil
    }
}
