/// DESI's fixed per-arm wavelength grids (every coadd shares them): 0.8 Å
/// steps from 3600 (B, 2751 pixels), 5760 (R, 2326) and 7520 Å (Z, 2881),
/// with the exact doubles NumPy's `arange(start, stop, 0.8)` gives and the
/// coadd files hold (`start + i·((start + 0.8) − start)`).
///
/// ARD tiles store wavelengths as float32, which loses up to 2.4e-4 Å; the
/// rest-frame rebinning uses pixel edges, so that would change every cache
/// row slightly. A float32 run that rounds from a stretch of one of these
/// grids is mapped back to the grid's doubles, so a spectrum gives the same
/// cache row from its tile as from its coadd.
public enum DESIWavelengthGrid {
    public struct Arm: Sendable {
        public var name: String
        public var start: Double
        public var count: Int

        public var step: Double { (start + 0.8) - start }
        public func wavelength(_ i: Int) -> Double { start + Double(i) * step }
        public var wavelengths: [Double] { (0..<count).map(wavelength) }
    }

    public static let arms = [
        Arm(name: "B", start: 3600, count: 2751),
        Arm(name: "R", start: 5760, count: 2326),
        Arm(name: "Z", start: 7520, count: 2881),
    ]

    /// The DESI doubles of a run of float32 wavelengths, when the run is a
    /// stretch of one arm's grid rounded to float32; nil otherwise.
    public static func recover(_ run: ArraySlice<Float>) -> (arm: String, wavelengths: [Double])? {
        guard let first = run.first else { return nil }
        for arm in arms {
            let k = ((Double(first) - arm.start) / 0.8).rounded()
            guard k >= 0, k < Double(arm.count) else { continue }
            let k0 = Int(k)
            guard k0 + run.count <= arm.count else { continue }
            var out = [Double]()
            out.reserveCapacity(run.count)
            var matches = true
            for (i, w) in run.enumerated() {
                let exact = arm.wavelength(k0 + i)
                guard Float(exact) == w else { matches = false; break }
                out.append(exact)
            }
            if matches { return (arm.name, out) }
        }
        return nil
    }
}
