import Foundation
import QADCore

/// Named wavelength windows a reviewer recognises, in the rest frame (emission
/// lines with room for their outflow troughs) and in the observed frame (DESI's
/// arm joins, strong sky lines and telluric bands).
public struct NamedWindow: Sendable, Equatable {
    public var name: String
    public var frame: String
    public var lo: Double
    public var hi: Double

    public static let rest: [NamedWindow] = [
        .init(name: "Lya forest", frame: "rest", lo: 800, hi: 1185),
        .init(name: "Lya", frame: "rest", lo: 1185, hi: 1232),
        .init(name: "NV", frame: "rest", lo: 1232, hi: 1265),
        // SiIV and CIV extend ~25,000 km/s blueward, where BAL troughs sit.
        .init(name: "SiIV", frame: "rest", lo: 1300, hi: 1420),
        .init(name: "CIV", frame: "rest", lo: 1420, hi: 1600),
        .init(name: "CIII]", frame: "rest", lo: 1850, hi: 1960),
        .init(name: "MgII", frame: "rest", lo: 2650, hi: 2870),
        .init(name: "Hb", frame: "rest", lo: 4780, hi: 4940),
        .init(name: "[OIII]", frame: "rest", lo: 4940, hi: 5030),
        .init(name: "Ha", frame: "rest", lo: 6450, hi: 6680),
    ]

    public static let observed: [NamedWindow] = [
        .init(name: "blue edge", frame: "obs", lo: 3550, hi: 3700),
        .init(name: "sky 5577", frame: "obs", lo: 5567, hi: 5587),
        .init(name: "arm join b/r", frame: "obs", lo: 5650, hi: 5950),
        .init(name: "sky NaD 5890", frame: "obs", lo: 5882, hi: 5900),
        .init(name: "sky 6300", frame: "obs", lo: 6292, hi: 6308),
        .init(name: "sky 6364", frame: "obs", lo: 6356, hi: 6372),
        .init(name: "telluric B", frame: "obs", lo: 6860, hi: 6925),
        .init(name: "arm join r/z", frame: "obs", lo: 7450, hi: 7740),
        .init(name: "telluric A", frame: "obs", lo: 7590, hi: 7700),
        .init(name: "OH bands", frame: "obs", lo: 8750, hi: 9900),
    ]
}

/// Which named windows carry a spectrum's excess residual: per bin, the excess
/// x = max(0, r² − e) of its χ² over the population's clipped mean e at that
/// rest bin; a window's share is Σx inside it over Σx of the whole spectrum.
/// Rest bins outside every named rest window count as "continuum". Windows of
/// the two frames overlap, so shares across frames need not sum to 1.
public struct ResidualExplainer: Sendable {
    public let grid: RestGrid
    /// Expected r² per rest bin.
    public let expected: [Double]
    public var top = 3
    public var minimumShare = 0.05
    let centers: [Double]
    /// Index into `NamedWindow.rest` of each rest bin; rest.count = continuum.
    let restWindowOfBin: [Int]

    public init(grid: RestGrid, expected: [Double]) {
        self.grid = grid
        self.expected = expected
        centers = grid.centers
        restWindowOfBin = centers.map { λ in
            NamedWindow.rest.firstIndex { λ >= $0.lo && λ < $0.hi } ?? NamedWindow.rest.count
        }
    }

    /// Clipped mean of r² per rest bin over `sample` (bins no sample covers get 1).
    public static func expectedChi2(grid: RestGrid, sample: [SpectrumResidual]) -> [Double] {
        var n = [Double](repeating: 0, count: grid.count)
        var s = n
        for res in sample {
            for k in 0..<res.count where res.covered[k] != 0 {
                let v = res.r[k] * res.r[k]
                if v < 25 { n[res.lo + k] += 1; s[res.lo + k] += v }  // 5σ: one wild pixel is not the norm
            }
        }
        return zip(n, s).map { $0 >= 10 ? $1 / $0 : 1 }
    }

    public func explain(_ res: SpectrumResidual, z: Double) -> [ExplanationWindow] {
        let rest = NamedWindow.rest, obs = NamedWindow.observed
        var restShare = [Double](repeating: 0, count: rest.count + 1)  // last: continuum
        var obsShare = [Double](repeating: 0, count: obs.count)
        var total = 0.0
        for k in 0..<res.count where res.covered[k] != 0 {
            let i = res.lo + k
            let x = max(0, res.r[k] * res.r[k] - expected[i])
            guard x > 0 else { continue }
            total += x
            restShare[restWindowOfBin[i]] += x
            let λobs = centers[i] * (1 + z)
            for (w, window) in obs.enumerated() where λobs >= window.lo && λobs < window.hi { obsShare[w] += x }
        }
        guard total > 0 else { return [] }
        var all: [ExplanationWindow] = []
        for (w, x) in restShare.enumerated() where x > 0 {
            all.append(ExplanationWindow(window: w < rest.count ? rest[w].name : "continuum", frame: "rest",
                                         share: x / total))
        }
        for (w, x) in obsShare.enumerated() where x > 0 {
            all.append(ExplanationWindow(window: obs[w].name, frame: "obs", share: x / total))
        }
        all.sort { $0.share != $1.share ? $0.share > $1.share : $0.window < $1.window }
        return Array(all.filter { $0.share >= minimumShare }.prefix(top)).map {
            ExplanationWindow(window: $0.window, frame: $0.frame, share: ($0.share * 1000).rounded() / 1000)
        }
    }
}
