import Foundation

/// The one global rest-frame log-λ grid every spectrum is rebinned onto. It
/// covers z 0.05–6.8 over DESI's 3600–9824 Å, so each spectrum fills only the
/// bins it covers and every later stage must be mask-aware.
public struct RestGrid: Sendable, Equatable, Codable {
    public var log10Start: Double
    public var log10Step: Double
    public var count: Int

    public init(log10Start: Double, log10Step: Double, count: Int) {
        self.log10Start = log10Start
        self.log10Step = log10Step
        self.count = count
    }

    /// 460–9404 Å in 3276 bins of 4e-4 dex (about 276 km/s).
    public static let standard = RestGrid(log10Start: log10(460.0), log10Step: 4e-4, count: 3276)

    /// Bin edges in Å (count + 1 values).
    public var edges: [Double] {
        (0...count).map { pow(10, log10Start + Double($0) * log10Step) }
    }

    /// Bin centres in Å: geometric mean of the edges.
    public var centers: [Double] {
        (0..<count).map { center($0) }
    }

    /// Centre of bin `i` in Å.
    @inline(__always)
    public func center(_ i: Int) -> Double { pow(10, log10Start + (Double(i) + 0.5) * log10Step) }

    /// Index of the bin holding wavelength `lambda` (Å) on this grid's log-λ
    /// index space; outside 0..<count for wavelengths beyond the grid (an
    /// observed wavelength indexes the observed frame, whose origin is the same).
    public func bin(containing lambda: Double) -> Int {
        Int(((log10(lambda) - log10Start) / log10Step).rounded(.down))
    }
}
