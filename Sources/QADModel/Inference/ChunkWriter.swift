import Foundation

/// The row-aligned output matrices and the store rows not yet committed,
/// used by the writer queue only. Chunks are appended as they come; every
/// `durableRows` rows (and at the end) the files are flushed to disk and then
/// the pending rows and the progress are committed in one transaction, so the
/// store never lists rows whose outputs could be lost. Flushing every chunk
/// would cost a third of the throughput.
public final class OutputMatrices: @unchecked Sendable {
    // @unchecked: after creation only the (serial) writer queue touches it.
    public let mu: OutputMatrixFile, sigma: OutputMatrixFile, reconstruction: OutputMatrixFile?
    private var pending: [ModelOutputRecord] = []
    private var pendingRows = 0

    public init(mu: OutputMatrixFile, sigma: OutputMatrixFile, reconstruction: OutputMatrixFile?) {
        self.mu = mu
        self.sigma = sigma
        self.reconstruction = reconstruction
    }

    /// Appends a chunk (its reconstructions already sit in `mapped`) and, when
    /// enough rows are pending or `final`, makes everything durable and commits.
    public func append(_ out: BatchResultWriter, mapped: OutputMatrixFile.MappedRows?, records: [ModelOutputRecord],
                durableRows: Int, final: Bool, commit: (_ records: [ModelOutputRecord]) throws -> Void) throws {
        let n = out.dof.count
        try mu.append(out.mu.pointer, rows: n)
        try sigma.append(out.sigma.pointer, rows: n)
        if let reconstruction, let mapped { reconstruction.commit(mapped) }
        pending += records
        pendingRows += n
        guard final || pendingRows >= durableRows else { return }
        try mu.sync()
        try sigma.sync()
        try reconstruction?.sync()
        try commit(pending)
        pending = []
        pendingRows = 0
    }
}

/// Runs one write job at a time on a background queue; `wait` blocks until
/// the pending job is done and rethrows its error.
public final class ChunkWriter: @unchecked Sendable {
    // @unchecked: `error` is written by the job and read only after `group.wait()`.
    private let queue = DispatchQueue(label: "qad.infer.writer")
    private let group = DispatchGroup()
    private var error: (any Error)?

    public init() {}

    public func submit(_ job: @escaping @Sendable () throws -> Void) {
        queue.async(group: group) {
            do { try job() } catch { self.error = error }
        }
    }

    public func wait() throws {
        group.wait()
        if let error { throw error }
    }
}
