import Foundation

/// At most `limit` figure renders at once. A 3000×2000 PNG takes about a
/// second; unbounded, a few of them would hold every blocking thread the
/// queue, label and session routes also run on, and everyone would wait.
/// Waiters are served in arrival order.
actor RenderSlots {
    let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        precondition(limit >= 1)
        self.limit = limit
    }

    /// Fewer than the cores, so one blocking thread always stays for the other routes.
    static var forThisMachine: RenderSlots {
        RenderSlots(limit: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
    }

    func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the longest waiter, or frees it.
    func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    var busy: Int { inUse }
    var queued: Int { waiting.count }
}

/// Runs `body` (blocking work, on the render threads) once a render slot is free.
func rendered<T: Sendable>(in slots: RenderSlots, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    await slots.acquire()
    do {
        let value = try await DedicatedThreads.renders.run(body)
        await slots.release()
        return value
    } catch {
        await slots.release()
        throw error
    }
}
