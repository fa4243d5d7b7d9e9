/// Where the sliding windows of the localized-residual score sit in one
/// frame's index space: for each width W (in rest-grid bins), windows start at
/// every multiple of the stride max(1, W/4) (a feature or a jump is never
/// more than W/8 off a window's centre), so every spectrum's window at a
/// given place shares one calibration slot with every other spectrum's.
public struct WindowLayout: Sendable, Equatable {
    public let widths: [Int]
    public let strides: [Int]
    /// Positions of the frame's index space (window starts lie in 0..<frameSize).
    public let frameSize: Int
    /// First slot of each width; slots of width w are bases[w] + start/stride.
    let bases: [Int]
    public let slotCount: Int

    public init(widths: [Int], frameSize: Int) {
        precondition(!widths.isEmpty && widths.allSatisfy { $0 >= 1 } && frameSize > 0)
        self.widths = widths
        self.frameSize = frameSize
        strides = widths.map { max(1, $0 / 4) }
        var bases: [Int] = []
        var total = 0
        for s in strides {
            bases.append(total)
            total += (frameSize + s - 1) / s
        }
        self.bases = bases
        slotCount = total
    }

    @inline(__always)
    func slot(widthIndex w: Int, start: Int) -> Int { bases[w] + start / strides[w] }

    /// The width index and window start of a slot.
    func window(ofSlot slot: Int) -> (widthIndex: Int, start: Int) {
        var w = bases.count - 1
        while bases[w] > slot { w -= 1 }
        return (w, (slot - bases[w]) * strides[w])
    }
}
