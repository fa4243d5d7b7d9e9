import Foundation
import QADDetect


/// Where a named explanation window lies, so the figure can shade it: the
/// scorer's own window table (`NamedWindow`), in its frame. "continuum" (every
/// rest bin outside the named windows) is not shaded.
public enum WindowRanges {
    public static func range(of window: ExplanationWindow) -> ClosedRange<Double>? {
        let table = window.frame == "obs" ? NamedWindow.observed : NamedWindow.rest
        guard let w = table.first(where: { $0.name == window.window }) else { return nil }
        return w.lo...w.hi
    }
}
