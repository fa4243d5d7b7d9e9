import Foundation
import QADStore

/// Where a named explanation window lies, so the figure can shade it.
///
/// The scorer names windows ("CIV", "Lya forest", "arm join b/r", "sky 5577");
/// this maps those names to wavelength ranges in their frame. Names not known
/// here are still listed by the review page, just not shaded.
public enum WindowRanges {
    /// Half-width of a line window as a fraction of its wavelength (±5000 km/s).
    static let lineHalfWidth = 5000.0 / 299_792.458

    public static func range(of window: ExplanationWindow) -> ClosedRange<Double>? {
        let name = window.window.trimmingCharacters(in: .whitespaces)
        let lower = name.lowercased()
        if lower.hasPrefix("sky "), let lam = Double(name.dropFirst(4)) { return (lam - 8)...(lam + 8) }
        switch lower {
        case "lya forest", "lyα forest": return 1040...1190
        case "arm join b/r": return 5660...5930
        case "arm join r/z": return 7470...7720
        default: break
        }
        if let line = EmissionLine.quasarLines.first(where: {
            $0.name.lowercased() == lower || $0.ascii.lowercased() == lower
        }) {
            let h = line.restLambda * lineHalfWidth
            return (line.restLambda - h)...(line.restLambda + h)
        }
        return nil
    }
}
