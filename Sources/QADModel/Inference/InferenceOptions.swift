import Foundation

/// Settings of an inference pass over the cache.
public struct InferenceOptions: Sendable {
    public var batchSize = 256
    /// Cache rows read, computed and committed together: memory is bounded
    /// by this, not by the survey.
    public var chunkRows = 2048
    /// Rows between flushes to disk and commits to the store: a killed run
    /// redoes at most this many.
    public var durableRows = 16384
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Write the reconstruction of every spectrum (13 kB each) as well as latents.
    public var reconstructions = true
    /// Decode the whole rest grid for every spectrum. Off: only the bins the
    /// spectrum covers are decoded (NaN elsewhere), which is all the residuals
    /// and plots use and takes about half the time.
    public var fullReconstructions = false
    /// Recompute everything even if outputs for these weights exist.
    public var force = false
    public init() {}
}
