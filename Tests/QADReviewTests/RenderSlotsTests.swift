import Foundation
import QADCore
import Testing
@testable import QADReview

@Suite struct RenderSlotsTests {
    /// Never more renders at once than slots, every render done, and a
    /// freed slot goes to a waiter.
    @Test func rendersAreBoundedAndAllComplete() async throws {
        let slots = RenderSlots(limit: 2)
        let running = Locked(0), most = Locked(0)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask {
                    try await rendered(in: slots) {
                        let now = running.withLock { $0 += 1; return $0 }
                        most.withLock { $0 = max($0, now) }
                        Thread.sleep(forTimeInterval: 0.02)
                        running.withLock { $0 -= 1 }
                        return i
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<8))
        #expect(most.withLock { $0 } == 2)
        let (busy, queued) = (await slots.busy, await slots.queued)
        #expect(busy == 0 && queued == 0)
    }

    /// A render that throws gives its slot back.
    @Test func aFailedRenderFreesItsSlot() async throws {
        struct Failed: Error {}
        let slots = RenderSlots(limit: 1)
        await #expect(throws: Failed.self) { try await rendered(in: slots) { () throws -> Int in throw Failed() } }
        #expect(await slots.busy == 0)
        #expect(try await rendered(in: slots) { 7 } == 7)
    }
}
