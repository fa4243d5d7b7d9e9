import NIOPosix

/// Runs blocking work (SQLite reads and writes, page faults on the memory-mapped
/// cache) on NIO's thread pool, so the event loops and Swift's cooperative
/// threads stay free to accept and answer other requests meanwhile.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}
