import Foundation
import QADCore

/// A progress bar with a rate on a terminal; plain log lines (every few
/// seconds) when stderr is a file or pipe.
final class ProgressReporter: Sendable {
    private let terminal: Bool
    private let unit: String
    /// When a line was last printed, and whether a bar is on screen.
    private let state = Locked((lastPrint: 0.0, printedBar: false))

    init(plain: Bool, unit: String) {
        terminal = !plain && isatty(2) == 1
        self.unit = unit
    }

    func update(done: Int, total: Int, items: Int, elapsed: Double) {
        state.withLock { state in show(&state, done: done, total: total, items: items, elapsed: elapsed) }
    }

    private func show(_ state: inout (lastPrint: Double, printedBar: Bool), done: Int, total: Int, items: Int,
                      elapsed: Double) {
        let rate = elapsed > 0 ? Double(items) / elapsed : 0
        if terminal {
            guard elapsed - state.lastPrint > 0.1 || done == total else { return }
            state.lastPrint = elapsed
            let width = 30
            let filled = total > 0 ? Int(Double(width) * Double(done) / Double(total)) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(format: "\r%@ %d/%d files  %d %@  %.0f %@/s", bar, done, total, items, unit, rate, unit)
            FileHandle.standardError.write(Data(line.utf8))
            state.printedBar = true
        } else {
            guard elapsed - state.lastPrint >= 5 || done == total else { return }
            state.lastPrint = elapsed
            let line = String(format: "progress: %d/%d files, %d %@, %.0f %@/s, %.1f s\n", done, total, items, unit, rate, unit, elapsed)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        if state.value.printedBar { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
