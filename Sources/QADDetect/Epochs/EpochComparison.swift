import Foundation
import QADCore
import QADFormats

/// One observation of an object: observed-frame wavelengths (Å, increasing),
/// flux density and inverse variance (0 where masked), with the pipeline's
/// own redshift and class for that observation.
public struct EpochSpectrum: Sendable {
    public var name: String
    public var mjd: Double
    public var z: Double
    public var classification: String
    public var lambda: [Double]
    public var flux: [Double]
    public var ivar: [Double]

    public init(name: String, mjd: Double, z: Double, classification: String, lambda: [Double], flux: [Double],
                ivar: [Double]) {
        self.name = name
        self.mjd = mjd
        self.z = z
        self.classification = classification
        self.lambda = lambda
        self.flux = flux
        self.ivar = ivar
    }
}

extension EpochSpectrum {
    /// An SDSS/BOSS spec file as an epoch; pixels its AND_MASK flags get no weight.
    public init(_ spec: SDSSSpecFile) {
        let arm = spec.arm
        self.init(name: URL(fileURLWithPath: spec.path).deletingPathExtension().lastPathComponent, mjd: Double(spec.mjd),
                  z: spec.z, classification: spec.classification, lambda: arm.wavelength, flux: arm.flux.map(Double.init),
                  ivar: arm.ivar.indices.map { arm.mask[$0] == 0 && arm.ivar[$0] > 0 ? Double(arm.ivar[$0]) : 0 })
    }
}

extension EpochSpectrum {
    /// The arms of one spectrum (DESI's B, R and Z) joined into one: where two
    /// arms overlap, each gives the pixels up to the middle of the overlap, so
    /// wavelengths stay increasing. Masked pixels get no weight.
    public init(name: String, mjd: Double, z: Double, classification: String, arms: [ArmSpectrum]) {
        let sorted = arms.filter { !$0.wavelength.isEmpty }.sorted { $0.wavelength[0] < $1.wavelength[0] }
        var lambda: [Double] = [], flux: [Double] = [], ivar: [Double] = []
        for (k, arm) in sorted.enumerated() {
            let lo = k == 0 ? -Double.infinity : (arm.wavelength[0] + sorted[k - 1].wavelength.last!) / 2
            let hi = k + 1 == sorted.count ? Double.infinity : (sorted[k + 1].wavelength[0] + arm.wavelength.last!) / 2
            for i in arm.wavelength.indices where arm.wavelength[i] >= lo && arm.wavelength[i] < hi {
                guard lambda.last.map({ arm.wavelength[i] > $0 }) ?? true else { continue }
                lambda.append(arm.wavelength[i])
                flux.append(Double(arm.flux[i]))
                ivar.append(arm.mask[i] == 0 && arm.ivar[i] > 0 && arm.flux[i].isFinite ? Double(arm.ivar[i]) : 0)
            }
        }
        self.init(name: name, mjd: mjd, z: z, classification: classification, lambda: lambda, flux: flux, ivar: ivar)
    }
}

/// A broad line and the line-free continuum bands either side of it (rest
/// frame, Å). The bands are the usual quasar continuum windows nearest each
/// line; Hβ's window stops short of [OIII] 4959, and Lyα's continuum comes
/// from two bands redward of it, since blueward lies the forest.
public struct BroadLineWindow: Sendable, Codable, Equatable {
    public var name: String
    public var rest: Double
    public var line: ClosedRange<Double>
    public var blue: ClosedRange<Double>
    public var red: ClosedRange<Double>

    public static let standard: [BroadLineWindow] = [
        .init(name: "Lyα", rest: 1215.67, line: 1195...1255, blue: 1275...1290, red: 1340...1360),
        .init(name: "CIV", rest: 1549.06, line: 1500...1600, blue: 1445...1465, red: 1690...1705),
        .init(name: "CIII]", rest: 1908.73, line: 1860...1960, blue: 1800...1820, red: 1980...2000),
        .init(name: "MgII", rest: 2798.75, line: 2700...2900, blue: 2650...2670, red: 2950...3000),
        .init(name: "Hβ", rest: 4862.68, line: 4760...4940, blue: 4200...4230, red: 5080...5100),
        .init(name: "Hα", rest: 6564.61, line: 6400...6750, blue: 6110...6250, red: 6800...7000),
    ]

    /// Line-free continuum windows (rest Å) for the recalibration between epochs.
    public static let continuumWindows: [ClosedRange<Double>] = [
        1275...1290, 1340...1360, 1445...1465, 1690...1705, 1800...1820, 1980...2000, 2650...2670, 2950...3000,
        3010...3040, 3240...3270, 3790...3810, 4200...4230, 5080...5100, 5600...5630, 6005...6035, 6110...6250,
        6800...7000,
    ]
}

/// A broad line's flux (continuum subtracted, in the spectra's flux unit × Å)
/// and rest-frame equivalent width in one epoch.
public struct LineMeasurement: Sendable, Codable, Equatable {
    public var flux: Double
    public var fluxError: Double
    public var equivalentWidth: Double
    public var equivalentWidthError: Double
}

/// One broad line in both epochs of a pair, the later on the earlier's calibration.
public struct LineChange: Sendable, Codable, Equatable {
    public var line: String
    public var earlier: LineMeasurement
    public var later: LineMeasurement
    public var fluxChange: Double
    public var fluxChangeError: Double
    /// Flux change over its error.
    public var significance: Double
    /// Later over earlier flux.
    public var ratio: Double

    public init(line: String, earlier: LineMeasurement, later: LineMeasurement) {
        self.line = line
        self.earlier = earlier
        self.later = later
        fluxChange = later.flux - earlier.flux
        fluxChangeError = (earlier.fluxError * earlier.fluxError + later.fluxError * later.fluxError).squareRoot()
        significance = fluxChange / fluxChangeError
        ratio = later.flux / earlier.flux
    }
}

/// A broad line that appeared or vanished between the epochs.
public struct ChangingLook: Sendable, Codable, Equatable {
    public enum Direction: String, Sendable, Codable { case vanished, emerged }
    public var line: String
    public var direction: Direction

    public init(line: String, direction: Direction) {
        self.line = line
        self.direction = direction
    }

    public var description: String { "\(line) broad \(direction.rawValue)" }
}

/// What changed between two epochs of one object.
public struct EpochDifference: Sendable, Codable {
    public var earlier: String
    public var later: String
    public var earlierMJD: Double
    public var laterMJD: Double
    /// The redshift the comparison was made at.
    public var z: Double
    /// Days between the epochs in the quasar's rest frame.
    public var restFrameDays: Double
    /// Later over earlier continuum at `continuumRestLambda`, with its error:
    /// the level the recalibration keeps.
    public var continuumRatio: Double
    public var continuumRatioError: Double
    public var continuumRestLambda: Double
    /// The shape correction divided out of the later epoch: 1 + c₁x + c₂x²
    /// over x = ln λ scaled to −1…1 across the continuum windows used.
    public var recalibration: [Double]
    public var continuumWindowsUsed: Int
    public var lines: [LineChange]
    /// The most significant localized difference (continuum level matched):
    /// its signed significance, rest-frame centre and width (Å).
    public var localSignificance: Double
    public var localRestLambda: Double
    public var localRestWidth: Double
    /// (Σ D² − n)/√(2n) over all n good pixels of D (the localized
    /// difference's D, before the surroundings' mean): how unlike the two
    /// epochs are as a whole, beyond their noise.
    public var wholeSignificance: Double
    public var changingLook: [ChangingLook]
    /// The two epochs' redshifts disagree by more than 0.01 (1 + z).
    public var redshiftConflict: Bool
    /// The pipeline's class differs between the epochs, e.g. "QSO → STAR".
    public var classChange: String?

    /// Why this pair deserves a look, or nil when nothing stands out.
    public var reasons: [String] {
        var out = changingLook.map(\.description)
        if let classChange { out.append("class changed \(classChange)") }
        if redshiftConflict { out.append("redshifts disagree") }
        return out
    }
}

/// Compares two epochs of one object. The later epoch is put on the earlier
/// one's calibration by a smooth multiplicative shape (quadratic in ln λ)
/// fitted on line-free continuum windows only; the continuum's level change
/// is kept and reported, not calibrated away. Each covered broad line is then
/// measured in both epochs against a linear continuum through its side bands.
///
/// Changing look (documented criterion): a broad Balmer line, MgII, CIII] or
/// CIV detected at ≥ 5σ in one epoch whose flux changes by ≥ 3σ to less than
/// a third of that in the other ("vanished" forward in time, "emerged"
/// backward). Lyα is left out: its side bands sit in the forest and on NV.
public enum EpochComparison {
    public static func compare(_ a: EpochSpectrum, _ b: EpochSpectrum) -> EpochDifference {
        let (early, late) = a.mjd <= b.mjd ? (a, b) : (b, a)
        // The quasar's redshift: a QSO-class epoch's, the earlier one's if both are.
        let z = early.classification == "QSO" || late.classification != "QSO" ? early.z : late.z
        let grid = CommonGrid(early, late)
        let rest = grid.lambda.map { $0 / (1 + z) }

        // Continuum windows both epochs cover well.
        var x: [Double] = [], e: [Double] = [], l: [Double] = [], w: [Double] = []
        var used = 0
        for window in BroadLineWindow.continuumWindows {
            let idx = rest.indices.filter { window.contains(rest[$0]) && grid.valid($0) }
            guard idx.count >= 5 else { continue }
            used += 1
            for i in idx {
                x.append(log(grid.lambda[i])); e.append(grid.early[i]); l.append(grid.late[i])
                w.append(1 / (grid.earlyVar[i] + grid.lateVar[i]))
            }
        }
        let shape = Recalibration(lnLambda: x, earlier: e, later: l, weights: w, windows: used)
        var lateFlux = grid.late, lateVar = grid.lateVar
        for i in grid.lambda.indices {
            let s = shape.shape(log(grid.lambda[i]))
            lateFlux[i] /= s
            lateVar[i] /= s * s
        }

        var lines: [LineChange] = []
        for window in BroadLineWindow.standard {
            guard let m0 = measure(window, rest: rest, lambda: grid.lambda, flux: grid.early, variance: grid.earlyVar, z: z),
                  let m1 = measure(window, rest: rest, lambda: grid.lambda, flux: lateFlux, variance: lateVar, z: z)
            else { continue }
            lines.append(LineChange(line: window.name, earlier: m0, later: m1))
        }
        let local = localDifference(rest: rest, early: grid.early, earlyVar: grid.earlyVar,
                                    late: lateFlux.map { $0 / shape.level }, lateVar: lateVar.map { $0 / (shape.level * shape.level) })
        let classChange = early.classification == late.classification ? nil : "\(early.classification) → \(late.classification)"
        // A spectrum the pipeline calls a star is not a quasar in a faint state.
        let classIsStar = [early.classification, late.classification].contains { $0.uppercased() == "STAR" }
        return EpochDifference(
            earlier: early.name, later: late.name, earlierMJD: early.mjd, laterMJD: late.mjd, z: z,
            restFrameDays: (late.mjd - early.mjd) / (1 + z),
            continuumRatio: shape.level, continuumRatioError: shape.levelError,
            continuumRestLambda: x.isEmpty ? .nan : exp(shape.centre) / (1 + z),
            recalibration: shape.shapeCoefficients, continuumWindowsUsed: used, lines: lines,
            localSignificance: local.significance, localRestLambda: local.restLambda, localRestWidth: local.restWidth,
            wholeSignificance: local.whole,
            changingLook: classIsStar ? [] : lines.compactMap(changingLook),
            redshiftConflict: abs(early.z - late.z) > 0.01 * (1 + z), classChange: classChange)
    }

    /// The criterion in the type's comment.
    static func changingLook(_ c: LineChange) -> ChangingLook? {
        guard abs(c.significance) >= changeSigma, c.line != "Lyα" else { return nil }
        let e = c.earlier, l = c.later
        if e.flux >= brightSigma * e.fluxError, l.flux < e.flux / 3 { return ChangingLook(line: c.line, direction: .vanished) }
        if l.flux >= brightSigma * l.fluxError, e.flux < l.flux / 3 { return ChangingLook(line: c.line, direction: .emerged) }
        return nil
    }

    /// The flux change a changing look needs, and its bright state's detection (σ).
    public static let changeSigma = 3.0
    public static let brightSigma = 5.0

    /// A line's flux and rest equivalent width, or nil when its window is
    /// under 80 % covered by good pixels or a side band has fewer than 3.
    static func measure(_ window: BroadLineWindow, rest: [Double], lambda: [Double], flux: [Double], variance: [Double],
                        z: Double) -> LineMeasurement? {
        func band(_ r: ClosedRange<Double>) -> (lambda: Double, level: Double, variance: Double)? {
            let idx = rest.indices.filter { r.contains(rest[$0]) && variance[$0].isFinite }
            guard idx.count >= 3 else { return nil }
            let weights = idx.map { 1 / variance[$0] }
            let sum = weights.reduce(0, +)
            let level = zip(idx, weights).map { flux[$0] * $1 }.reduce(0, +) / sum
            return (lambda[idx[idx.count / 2]], level, 1 / sum)
        }
        guard let blue = band(window.blue), let red = band(window.red), red.lambda != blue.lambda else { return nil }
        let inWindow = rest.indices.filter { window.line.contains(rest[$0]) }
        guard inWindow.count >= 5 else { return nil }
        let good = inWindow.filter { variance[$0].isFinite }
        guard Double(good.count) >= 0.8 * Double(inWindow.count) else { return nil }

        func continuum(_ lam: Double) -> Double {
            blue.level + (red.level - blue.level) * (lam - blue.lambda) / (red.lambda - blue.lambda)
        }
        var lineFlux = 0.0, lineVar = 0.0, covered = 0.0, whole = 0.0
        for i in inWindow {
            let dl = pixelWidth(lambda, i)
            whole += dl
            guard variance[i].isFinite else { continue }
            covered += dl
            lineFlux += (flux[i] - continuum(lambda[i])) * dl
            lineVar += variance[i] * dl * dl
        }
        // Masked pixels count at the window's mean; the continuum's own error
        // enters once over the whole window.
        let scale = whole / covered
        lineFlux *= scale
        lineVar *= scale * scale
        let centre = continuum(window.rest * (1 + z))
        lineVar += 0.5 * (blue.variance + red.variance) * whole * whole
        let ew = lineFlux / centre / (1 + z)
        let ewError = lineVar.squareRoot() / abs(centre) / (1 + z)
        return LineMeasurement(flux: lineFlux, fluxError: lineVar.squareRoot(), equivalentWidth: ew, equivalentWidthError: ewError)
    }

    static func pixelWidth(_ lambda: [Double], _ i: Int) -> Double {
        let lo = i > 0 ? lambda[i - 1] : lambda[i], hi = i + 1 < lambda.count ? lambda[i + 1] : lambda[i]
        return (hi - lo) / Double((i > 0 ? 1 : 0) + (i + 1 < lambda.count ? 1 : 0))
    }

    /// The largest |Σ D| / √n over runs of n = 3, 10, 30 and 100 good pixels of
    /// D = (later − earlier) / σ, the later epoch at the earlier's level, less
    /// the mean D of the surrounding ±500 good pixels.
    static func localDifference(rest: [Double], early: [Double], earlyVar: [Double], late: [Double],
                                lateVar: [Double]) -> (significance: Double, restLambda: Double, restWidth: Double, whole: Double) {
        let idx = rest.indices.filter { earlyVar[$0].isFinite }
        let raw = idx.map { (late[$0] - early[$0]) / (earlyVar[$0] + lateVar[$0]).squareRoot() }
        guard !raw.isEmpty else { return (0, .nan, .nan, .nan) }
        var best = (significance: 0.0, restLambda: Double.nan, restWidth: Double.nan)
        let n = Double(raw.count)
        let whole = (raw.reduce(0) { $0 + $1 * $1 } - n) / (2 * n).squareRoot()
        let smooth = runningMean(raw, halfWidth: surroundings)
        let d = raw.indices.map { raw[$0] - smooth[$0] }
        var prefix = [0.0]
        for v in d { prefix.append(prefix.last! + v) }
        for n in [3, 10, 30, 100] where n <= d.count {
            for start in 0...(d.count - n) {
                let s = (prefix[start + n] - prefix[start]) / Double(n).squareRoot()
                if abs(s) > abs(best.significance) {
                    let lo = rest[idx[start]], hi = rest[idx[start + n - 1]]
                    best = (s, 0.5 * (lo + hi), hi - lo)
                }
            }
        }
        return (best.significance, best.restLambda, best.restWidth, whole)
    }

    /// Good pixels either side whose mean difference a localized one is
    /// measured against: ten times the widest run, so a trough or a line
    /// change moves it little, while a level or calibration mismatch the
    /// continuum windows left (large where the spectra are faint) cancels.
    static let surroundings = 500

    /// The mean of `x` over ±`halfWidth` positions (fewer at the ends).
    static func runningMean(_ x: [Double], halfWidth: Int) -> [Double] {
        var prefix = [0.0]
        prefix.reserveCapacity(x.count + 1)
        for v in x { prefix.append(prefix.last! + v) }
        return x.indices.map { i in
            let lo = max(0, i - halfWidth), hi = min(x.count, i + halfWidth + 1)
            return (prefix[hi] - prefix[lo]) / Double(hi - lo)
        }
    }
}

/// The two epochs on the earlier one's wavelengths where both have data,
/// the later interpolated linearly; variance is infinite where either is masked.
struct CommonGrid {
    var lambda: [Double] = []
    var early: [Double] = []
    var earlyVar: [Double] = []
    var late: [Double] = []
    var lateVar: [Double] = []

    /// Both epochs have data at pixel `i`.
    func valid(_ i: Int) -> Bool { earlyVar[i].isFinite }

    init(_ a: EpochSpectrum, _ b: EpochSpectrum) {
        guard let bLo = b.lambda.first, let bHi = b.lambda.last else { return }
        var j = 0
        for i in a.lambda.indices where a.lambda[i] >= bLo && a.lambda[i] <= bHi {
            let lam = a.lambda[i]
            while j + 1 < b.lambda.count - 1 && b.lambda[j + 1] < lam { j += 1 }
            let j1 = min(j + 1, b.lambda.count - 1)
            let t = b.lambda[j1] == b.lambda[j] ? 0 : (lam - b.lambda[j]) / (b.lambda[j1] - b.lambda[j])
            let ok = a.ivar[i] > 0 && b.ivar[j] > 0 && b.ivar[j1] > 0
                && a.flux[i].isFinite && b.flux[j].isFinite && b.flux[j1].isFinite
            lambda.append(lam)
            early.append(ok ? a.flux[i] : 0)
            late.append(ok ? b.flux[j] + t * (b.flux[j1] - b.flux[j]) : 0)
            earlyVar.append(ok ? 1 / a.ivar[i] : .infinity)
            // Interpolating between two pixels averages their noise.
            lateVar.append(ok ? (1 - t) * (1 - t) / b.ivar[j] + t * t / b.ivar[j1] : .infinity)
        }
    }
}

/// later ≈ earlier × (a₀ + a₁x + a₂x²) on the continuum windows, by weighted
/// least squares; x is ln λ scaled to −1…1 over the windows. The shape
/// divided out of the later epoch is that polynomial over a₀, so the level
/// a₀ (the continuum ratio at the windows' centre) is kept.
struct Recalibration {
    var level = 1.0
    var levelError = Double.nan
    var shapeCoefficients: [Double] = [1]
    var centre = 0.0
    var halfSpan = 1.0

    init(lnLambda: [Double], earlier: [Double], later: [Double], weights: [Double], windows: Int) {
        guard let lo = lnLambda.min(), let hi = lnLambda.max(), windows >= 1 else { return }
        centre = 0.5 * (lo + hi)
        halfSpan = max(0.5 * (hi - lo), 1e-6)
        let degree = min(2, windows - 1)
        let n = degree + 1
        var ata = [Double](repeating: 0, count: n * n), atb = [Double](repeating: 0, count: n)
        for k in lnLambda.indices {
            let xk = (lnLambda[k] - centre) / halfSpan
            var row = [Double](repeating: 0, count: n)
            var p = 1.0
            for d in 0..<n { row[d] = earlier[k] * p; p *= xk }
            for r in 0..<n {
                atb[r] += weights[k] * row[r] * later[k]
                for c in 0..<n { ata[r * n + c] += weights[k] * row[r] * row[c] }
            }
        }
        guard let (solution, inverseDiagonal) = SmallLinearSystem.solve(ata, atb, n), solution[0] > 0 else { return }
        level = solution[0]
        levelError = inverseDiagonal[0].squareRoot()
        shapeCoefficients = solution.map { $0 / solution[0] }
    }

    /// The shape (1 at the centre) at ln λ.
    func shape(_ lnLambda: Double) -> Double {
        let x = max(-1, min(1, (lnLambda - centre) / halfSpan))
        var s = 0.0, p = 1.0
        for c in shapeCoefficients { s += c * p; p *= x }
        return s > 0.05 ? s : 0.05
    }
}
