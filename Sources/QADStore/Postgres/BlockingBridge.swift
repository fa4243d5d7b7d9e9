import Foundation
import QADCore

/// Runs PostgresNIO's async API for the synchronous `Store` protocols.
///
/// Why not `Task { … }` plus a semaphore on the global executor: the store is
/// called from inside Swift tasks too (ingest commits from its task group), and
/// on a 2-core machine the cooperative pool has 2 threads. Blocking both on a
/// semaphore while the awaited work itself needs a cooperative thread to resume
/// deadlocks. So every async body runs with a task-executor preference for
/// `PostgresExecutor`, qad's own small set of plain threads: the caller may
/// block (it is synchronous by contract), the work never waits for the pool the
/// caller might be occupying. The bodies only await NIO futures and do not
/// block, so two threads serve any number of connections.
public enum BlockingBridge {
    static let executor = PostgresExecutor(threads: 2)

    /// Runs `body` on `PostgresExecutor` and waits for it on the calling thread.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<T, any Error>?>(nil)
        Task(executorPreference: executor) {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.value!.get()
    }
}

/// A task executor over dedicated threads (never the cooperative pool).
final class PostgresExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for i in 0..<threads {
            let thread = Thread { [unowned self] in self.serve() }
            thread.name = "qad-postgres-\(i)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
