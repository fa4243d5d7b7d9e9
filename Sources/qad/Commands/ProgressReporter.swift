import Foundation

/// A progress bar with a rate on a terminal; plain log lines (every few
/// seconds) when stderr is a file or pipe.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Bool
    private let unit: String
    private var lastPrint = 0.0
    private var printedBar = false

    init(plain: Bool, unit: String) {
        terminal = !plain && isatty(2) == 1
        self.unit = unit
    }

    func update(done: Int, total: Int, items: Int, elapsed: Double) {
        lock.lock(); defer { lock.unlock() }
        let rate = elapsed > 0 ? Double(items) / elapsed : 0
        if terminal {
            guard elapsed - lastPrint > 0.1 || done == total else { return }
            lastPrint = elapsed
            let width = 30
            let filled = total > 0 ? Int(Double(width) * Double(done) / Double(total)) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(format: "\r%@ %d/%d files  %d %@  %.0f %@/s", bar, done, total, items, unit, rate, unit)
            FileHandle.standardError.write(Data(line.utf8))
            printedBar = true
        } else {
            guard elapsed - lastPrint >= 5 || done == total else { return }
            lastPrint = elapsed
            let line = String(format: "progress: %d/%d files, %d %@, %.0f %@/s, %.1f s\n", done, total, items, unit, rate, unit, elapsed)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        if printedBar { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
