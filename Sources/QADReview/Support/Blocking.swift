import NIOPosix

/// Runs blocking work (SQLite reads and writes, page faults on the memory-mapped
/// cache) on NIO's thread pool, so the event loops and Swift's cooperative
/// threads stay free to accept and answer other requests meanwhile.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}

/// The per-request sign-in check (one indexed read of the reviewer table) on
/// a thread of its own, so it never waits behind a queue page or a figure on
/// the shared pool: every request pays it, so it must stay in microseconds.
enum AuthThread {
    static let pool: NIOThreadPool = {
        let p = NIOThreadPool(numberOfThreads: 1)
        p.start()
        return p
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
