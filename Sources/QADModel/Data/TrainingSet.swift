import Foundation
import QADCore

/// The spectra a training run uses, split into training and validation rows
/// (seeded), with the hash that identifies them and their mean spectrum.
public struct TrainingSet: Sendable {
    public let cache: SpectralCache
    /// Cache rows, sorted.
    public let training: [Int]
    public let validation: [Int]
    /// `ContentHash` over the selected spectra (TARGETIDs, flux and weight rows, in cache order).
    public let dataHash: String
    /// Mean normalized flux (clipped to ±clip) per bin over covered bins (0 where nothing is covered).
    public let meanSpectrum: [Float]
    /// Spectra left out of training because a covered bin holds a non-finite
    /// value or |flux| > `config.maxAbsFlux` (corrupt input; it would swamp
    /// the loss). Inference still scores them.
    public let excluded: [CacheRowRef]

    public var count: Int { training.count + validation.count }

    /// The catalog spectra `refs` of `cache` (every one the catalog lists, in
    /// row order), optionally a seeded random subset, split. `location` names
    /// the store in messages.
    public init(cache: SpectralCache, refs allRefs: [CacheRowRef], config: TrainingConfig, clip: Float = 20,
                location: String) throws {
        self.cache = cache
        var refs = allRefs
        if let n = config.subset, n < refs.count {
            var rng = SeededRandom(seed: config.seed, stream: 0x5B5E7)
            refs = rng.permutation(refs.count).prefix(n).sorted().map { refs[$0] }
        }
        guard refs.count >= 2 else {
            throw LocatedError("\(location): \(refs.count) spectra in the store; ingest spectra before training")
        }
        let scan = Self.scan(cache, refs: refs, threads: config.threads, clip: clip, maxAbsFlux: config.maxAbsFlux)
        excluded = zip(refs, scan.usable).filter { !$0.1 }.map(\.0)
        refs = zip(refs, scan.usable).filter { $0.1 }.map(\.0)
        guard refs.count >= 2 else {
            throw LocatedError("\(location): \(refs.count) usable spectra (\(excluded.count) corrupt); need at least 2")
        }
        var rng = SeededRandom(seed: config.seed, stream: 0x5B117)
        let order = rng.permutation(refs.count)
        let nVal = min(refs.count - 1, max(1, Int((Double(refs.count) * config.validationFraction).rounded())))
        validation = order.prefix(nVal).map { refs[$0].row }.sorted()
        training = order.dropFirst(nVal).map { refs[$0].row }.sorted()
        dataHash = scan.hash
        meanSpectrum = scan.mean
    }

    /// One parallel pass over the candidate rows: which are usable, per-row
    /// hashes of the usable ones (combined in row order, so the hash does not
    /// depend on the thread count), and per-thread sums for the mean spectrum
    /// (combined in thread order).
    static func scan(_ cache: SpectralCache, refs: [CacheRowRef], threads: Int, clip: Float, maxAbsFlux: Float)
        -> (usable: [Bool], hash: String, mean: [Float]) {
        let bins = cache.bins
        let rowHashes = SharedArray<UInt64>(repeating: 0, count: refs.count)
        let usable = SharedArray<Bool>(repeating: false, count: refs.count)
        let parts = splitRange(refs.count, parts: max(1, threads))
        let sums = (0..<parts.count).map { _ in SharedArray<Double>(repeating: 0, count: bins) }
        let counts = (0..<parts.count).map { _ in SharedArray<Int>(repeating: 0, count: bins) }
        parallelFor(parts.count) { t in
            for i in parts[t] {
                let ref = refs[i]
                let f = cache.flux.row(ref.row), w = cache.weight.row(ref.row)
                var ok = true
                for j in 0..<bins where w[j] != 0 {
                    if !(w[j].isFinite && w[j] > 0 && abs(f[j]) <= maxAbsFlux) { ok = false; break }
                }
                usable[i] = ok
                guard ok else { continue }
                var h = ContentHash()
                h.update(UInt64(bitPattern: ref.targetid))
                h.update(UnsafeRawPointer(f), count: 4 * bins)
                h.update(UnsafeRawPointer(w), count: 4 * bins)
                rowHashes[i] = h.value
                for j in 0..<bins where w[j] > 0 {
                    sums[t][j] += Double(min(max(f[j], -clip), clip))
                    counts[t][j] += 1
                }
            }
        }
        var total = ContentHash(seed: UInt64(bins))
        for i in 0..<refs.count where usable[i] { total.update(rowHashes[i]) }
        let mean = (0..<bins).map { j -> Float in
            let s = sums.reduce(0.0) { $0 + $1[j] }, c = counts.reduce(0) { $0 + $1[j] }
            return c > 0 ? Float(s / Double(c)) : 0
        }
        return (usable.array, total.hex, mean)
    }
}
