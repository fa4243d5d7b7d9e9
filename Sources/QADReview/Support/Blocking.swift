import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (SQLite reads and writes, page faults on the memory-mapped
/// cache) on NIO's thread pool, so the event loops and Swift's cooperative
/// threads stay free to accept and answer other requests meanwhile.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}

/// A few threads of their own for one kind of blocking work, started on
/// first use, optionally at a lower CPU priority: work that must never wait
/// behind the shared pool (the sign-in check), or must never crowd it out
/// (figure renders).
final class DedicatedThreads: Sendable {
    private let pool: NIOThreadPool
    private let nice: Int32

    init(threads: Int, nice: Int32 = 0) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        self.nice = nice
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let nice = self.nice
        return try await pool.runIfActive {
            #if canImport(Glibc)
            // On Linux the nice value is per thread; raising it needs no privilege.
            if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) }
            #endif
            return try body()
        }
    }

    /// The per-request sign-in check (one indexed read of the reviewer table):
    /// every request pays it, so it must not wait behind a queue page or a figure.
    static let auth = DedicatedThreads(threads: 1)

    /// Figure renders at nice 10: a render is a download a reviewer waits
    /// seconds for anyway, while the queue, labels and sign-in must answer in
    /// milliseconds on the same cores. At least as many threads as any
    /// RenderSlots allows at once (the slots do the bounding).
    static let renders = DedicatedThreads(threads: max(4, ProcessInfo.processInfo.activeProcessorCount - 1), nice: 10)
}
