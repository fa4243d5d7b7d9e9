/// Scratch memory reused across pages: decompressed page, levels, indices.
final class PageScratch {
    private var buffers: [(pointer: UnsafeMutableRawPointer, capacity: Int)] = []

    init(count: Int) {
        buffers = (0..<count).map { _ in (UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16), 64) }
    }

    deinit { for b in buffers { b.pointer.deallocate() } }

    func buffer(_ slot: Int, bytes: Int) -> UnsafeMutableRawPointer {
        if buffers[slot].capacity < bytes {
            buffers[slot].pointer.deallocate()
            let capacity = max(bytes, buffers[slot].capacity * 2)
            buffers[slot] = (UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16), capacity)
        }
        return buffers[slot].pointer
    }

    static let page = 0, values = 1, repetition = 2, definition = 3, indices = 4
}
