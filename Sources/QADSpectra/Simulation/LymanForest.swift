import Foundation

/// Intergalactic H I absorption blueward of Lyα in the quasar rest frame: the
/// Lyα and Lyβ forests, Lyman-limit systems (LLS) and damped Lyα systems
/// (DLA), and Lyman-continuum opacity below 912 Å.
///
/// The forest is a lognormal optical-depth field (τ = A(z)·e^{σg}, g a unit
/// Gaussian process along the sightline), the standard "lognormal model"
/// of the IGM (Bi & Davidsen 1997). A(z) is calibrated so that ⟨e^{-τ}⟩ equals
/// exp(-τ_eff(z)) with τ_eff(z) = 0.0018 (1+z)^3.92 (Faucher-Giguère et al.
/// 2008), so the stochastic forest has exactly the observed mean transmission.
public enum LymanForest {
    public static let lyaRest = 1215.67
    public static let lybRest = 1025.72
    public static let lymanLimit = 911.753
    static let cKms = 299_792.458

    /// Lognormal dispersion of τ: with σ ≈ 1.3 the 1-pixel transmission PDF at
    /// DESI resolution spans nearly 0–1 at z ≈ 2–3 while keeping the right mean.
    public static let lognormalSigma = 1.3
    /// Correlation length of the Gaussian field along the sightline: forest
    /// structures are ~50–100 km/s wide (thermal + Hubble broadening of the
    /// filaments) and DESI pixels are 25–65 km/s.
    public static let correlationKms = 90.0
    /// Ratio of Lyβ to Lyα optical depth of the same gas: (f λ)_β / (f λ)_α.
    public static let lybOverLya = (0.079_12 * 1025.72) / (0.416_4 * 1215.67)

    /// Faucher-Giguère et al. (2008) effective Lyα optical depth.
    public static func tauEffective(z: Double) -> Double {
        0.0018 * pow(1 + max(z, 0), 3.92)
    }

    // MARK: lognormal calibration

    /// ⟨exp(-s·A·e^{σg})⟩ over g ~ N(0,1), by trapezoid over ±8σ (the
    /// integrand is smooth, so 160 steps are accurate to ~1e-7).
    static func lognormalMeanTransmission(amplitude a: Double, scale s: Double = 1) -> Double {
        let q = quadrature
        var sum = 0.0
        for i in 0..<q.count {
            sum += q.weight[i] * exp(-s * a * q.lognormal[i])
        }
        return sum * q.step / (2 * Double.pi).squareRoot()
    }

    /// The trapezoid nodes of `lognormalMeanTransmission`, which depend on
    /// nothing else: computed once, they leave one exp per node and call
    /// (ingest's reference spectrum makes ~10⁶ calls, a tenth of a second).
    private static let quadrature: (count: Int, step: Double, weight: [Double], lognormal: [Double]) = {
        let n = 160
        let lo = -8.0, hi = 8.0
        let h = (hi - lo) / Double(n)
        let g = (0...n).map { lo + Double($0) * h }
        let weight = (0...n).map { i in ((i == 0 || i == n) ? 0.5 : 1.0) * exp(-0.5 * g[i] * g[i]) }
        return (n + 1, h, weight, g.map { exp(lognormalSigma * $0) })
    }()

    /// A such that ⟨exp(-A e^{σg})⟩ = exp(-τ_eff): Newton's method in log A,
    /// kept inside a shrinking bracket (bisecting when a step leaves it). The
    /// mean falls monotonically with A, so a handful of steps reach double
    /// precision where bisection needed 60 (the table below is computed at
    /// the start of every ingest, for its reference spectrum).
    static func solveAmplitude(tauEff: Double) -> Double {
        let target = exp(-tauEff)
        let q = quadrature
        let norm = q.step / (2 * Double.pi).squareRoot()
        var lo = -30.0, hi = 12.0
        var u = log(max(tauEff, 1e-12))  // τ_eff for a thin forest, a fair start
        for _ in 0..<100 {
            // Mean transmission and its derivative in u = log A.
            let a = exp(u)
            var t = 0.0, dt = 0.0
            for i in 0..<q.count {
                let x = a * q.lognormal[i]
                let e = q.weight[i] * exp(-x)
                t += e
                dt -= e * x
            }
            t *= norm
            dt *= norm
            if t > target { lo = u } else { hi = u }
            var next = dt < 0 ? u - (t - target) / dt : .nan
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - u) < 1e-13 || hi - lo < 1e-13 { return exp(next) }
            u = next
        }
        return exp(u)
    }

    /// log A(z) tabulated every 0.02 in z from 0 to 8 (interpolated in between).
    static let amplitudeTable: [Double] = (0...400).map { log(solveAmplitude(tauEff: tauEffective(z: Double($0) * 0.02))) }

    /// Lognormal amplitude A(z) of the Lyα optical depth at absorber redshift z.
    public static func amplitude(z: Double) -> Double {
        let x = min(max(z, 0), 7.999) / 0.02
        let i = Int(x)
        let f = x - Double(i)
        return exp(amplitudeTable[i] * (1 - f) + amplitudeTable[i + 1] * f)
    }

    /// Mean Lyβ-forest transmission of gas at absorber redshift z (same
    /// lognormal field scaled by f_β λ_β / f_α λ_α; saturation included).
    public static func meanLybTransmission(z: Double) -> Double {
        lognormalMeanTransmission(amplitude: amplitude(z: z), scale: lybOverLya)
    }

    // MARK: Lyman-continuum opacity

    /// H I mean free path at 912 Å in proper Mpc (Worseck et al. 2014,
    /// h = 0.7): 37 [(1+z)/5]^-5.4.
    public static func meanFreePathMpc(z: Double) -> Double {
        37 * pow((1 + z) / 5, -5.4)
    }

    /// dl/dz in proper Mpc for flat ΛCDM (H0 = 70, Ωm = 0.3).
    static func properDistancePerRedshift(z: Double) -> Double {
        let h = 70 * (0.3 * pow(1 + z, 3) + 0.7).squareRoot()
        return cKms / ((1 + z) * h)
    }

    /// Mean Lyman-continuum optical depth at quasar rest wavelength λ < 912 Å for
    /// a source at z_q: ∫ dl/λ_mfp over absorbers the photon meets while still
    /// ionizing, with opacity ∝ (λ_local/912)^1.5 (column density distribution
    /// f(N) ∝ N^-1.5 turns the σ ∝ λ³ cross-section into λ^1.5).
    public static func lymanContinuumTau(restWavelength λ: Double, quasarRedshift zq: Double) -> Double {
        guard λ < lymanLimit else { return 0 }
        let zMin = max((1 + zq) * λ / lymanLimit - 1, 0)
        let steps = 40
        let dz = (zq - zMin) / Double(steps)
        guard dz > 0 else { return 0 }
        var tau = 0.0
        for k in 0..<steps {
            let z = zMin + (Double(k) + 0.5) * dz
            let local = λ * (1 + zq) / (1 + z) / lymanLimit  // ≤ 1
            tau += properDistancePerRedshift(z: z) / meanFreePathMpc(z: z) * pow(local, 1.5) * dz
        }
        return tau
    }

    // MARK: mean transmission (for the reference template)

    /// Mean IGM transmission at rest wavelength λ for a typical sightline whose
    /// absorbers sit at `absorberRedshift` (Lyα, Lyβ forests) and source at
    /// the same redshift (Lyman continuum). Near Lyα the step is softened over
    /// ~±1500 km/s, as the quasar's own ionizing flux clears the nearby gas
    /// (proximity effect) and DESI's resolution smears the line.
    public static func meanTransmission(restWavelength λ: Double, absorberRedshift z: Double = 2.4) -> Double {
        let tauA = tauEffective(z: z)
        var t = 1.0
        let soft = 1500.0 / cKms
        // Smooth step from 0 (blueward) to 1 (redward) around a line.
        func step(_ line: Double) -> Double {
            let x = (λ / line - 1) / soft
            return 1 / (1 + exp(-4 * x))
        }
        // Lyα forest.
        let sα = step(lyaRest)
        t *= exp(-tauA * (1 - sα))
        // Lyβ forest (plus its share of higher Lyman-series lines lumped in).
        let sβ = step(lybRest)
        if sβ < 1 - 1e-12 { t *= pow(meanLybTransmission(z: z), 1 - sβ) }
        // Lyman continuum.
        if λ < lymanLimit * (1 + 3 * soft) {
            let edge = 1 - step(lymanLimit)
            t *= exp(-lymanContinuumTau(restWavelength: min(λ, lymanLimit * 0.9999), quasarRedshift: z) * edge)
        }
        return t
    }

    // MARK: stochastic sightlines

    /// One absorber with an H I column that matters beyond the forest
    /// (log N ≥ 17.2: optically thick at the Lyman limit).
    public struct Absorber: Sendable, Hashable {
        public var redshift: Double
        public var log10Column: Double
        public var dopplerKms: Double

        public init(redshift: Double, log10Column: Double, dopplerKms: Double) {
            self.redshift = redshift
            self.log10Column = log10Column
            self.dopplerKms = dopplerKms
        }
    }

    /// Incidence of τ_912 ≥ 2 systems per unit redshift, ℓ(z) ≈ 1.5 [(1+z)/4.5]^2
    /// (close to Prochaska et al. 2010 and Fumagalli et al. 2013).
    public static func llsIncidence(z: Double) -> Double {
        1.5 * pow((1 + z) / 4.5, 2.0)
    }

    /// Draws the LLS/DLA population in front of a quasar. About 12% are DLAs
    /// (log N ≥ 20.3), 25% super-LLS, the rest LLS flat in log N (f(N) ∝ N^-1).
    public static func drawAbsorbers(quasarRedshift zq: Double,
                                     using rng: inout some RandomNumberGenerator) -> [Absorber] {
        // Only systems whose Lyα lands redward of DESI's 3600 Å blue edge, or
        // whose Lyman limit does, can be seen: z ≳ 1.9 (LyC reaches 3600 Å at z = 2.95).
        let zLo = 1.9
        // Stop 3000 km/s short of the quasar: proximate systems are rare.
        let zHi = zq - 0.01 * (1 + zq)
        guard zHi > zLo else { return [] }
        // Expected count by a midpoint sum of ℓ(z).
        let steps = 20
        let dz = (zHi - zLo) / Double(steps)
        var mean = 0.0
        for k in 0..<steps { mean += llsIncidence(z: zLo + (Double(k) + 0.5) * dz) * dz }
        let n = rng.drawPoisson(mean)
        let peak = llsIncidence(z: zHi)
        var out: [Absorber] = []
        for _ in 0..<n {
            // Redshift by rejection against ℓ(z), which increases with z.
            var z = zLo
            repeat { z = rng.drawUniform(zLo, zHi) } while rng.drawUnit() * peak > llsIncidence(z: z)
            let u = rng.drawUnit()
            let logN: Double
            if u < 0.12 {
                logN = min(20.3 - 0.4 * log(max(rng.drawUnit(), 1e-12)), 22.0)
            } else if u < 0.37 {
                logN = rng.drawUniform(19.0, 20.3)
            } else {
                logN = rng.drawUniform(17.2, 19.0)
            }
            out.append(Absorber(redshift: z, log10Column: logN, dopplerKms: rng.drawUniform(20, 45)))
        }
        return out
    }

    /// Voigt-profile optical depth of an H I line at velocity offset `dvKms`:
    /// Gaussian core plus the Lorentzian damping wings, τ0 [e^{-x²} + a/(√π(x²+1))]
    /// (the +1 keeps the wing term finite and negligible inside the core).
    static func voigtTau(dvKms: Double, column: Double, bKms: Double, f: Double,
                         restÅ: Double, gamma: Double) -> Double {
        let tau0 = 1.497e-15 * column * f * restÅ / bKms
        let a = gamma * restÅ * 1e-8 / (4 * Double.pi * bKms * 1e5)
        let x = dvKms / bKms
        let x2 = x * x
        let core = x2 < 50 ? exp(-x2) : 0
        return tau0 * (core + a / (Double.pi.squareRoot() * (x2 + 1)))
    }

    /// Transmission of one stochastic sightline at `observed` wavelengths
    /// (Å, strictly ascending) for a quasar at `quasarRedshift`: lognormal Lyα
    /// and Lyβ forests, LLS/DLAs (`absorbers`) with Voigt Lyα/Lyβ lines and
    /// λ³ Lyman-limit breaks, and the smooth Lyman-continuum opacity of the
    /// low-column gas (half of the mean-free-path opacity; the other half is
    /// in the discrete absorbers).
    public static func transmission(observed: [Double], quasarRedshift zq: Double,
                                    absorbers: [Absorber],
                                    using rng: inout some RandomNumberGenerator) -> [Double] {
        let n = observed.count
        var tau = [Double](repeating: 0, count: n)
        let sigma = lognormalSigma
        // Two independent Ornstein–Uhlenbeck processes (exponential correlation,
        // exact on an irregular grid) for Lyα and Lyβ gas.
        var (gα, gβ) = rng.drawNormalPair()
        let lyaObs = lyaRest * (1 + zq)
        let lybObs = lybRest * (1 + zq)
        let llObs = lymanLimit * (1 + zq)
        var lycNode = -1, lycLo = 0.0, lycHi = 0.0, lycHiλ = 0.0
        for i in 0..<n {
            let λ = observed[i]
            if λ >= lyaObs { break }  // the rest is redward of the quasar's Lyα
            if i > 0 {
                let dv = cKms * (λ - observed[i - 1]) / λ
                let ρ = exp(-dv / correlationKms)
                let k = (1 - ρ * ρ).squareRoot()
                let (nα, nβ) = rng.drawNormalPair()
                gα = ρ * gα + k * nα
                gβ = ρ * gβ + k * nβ
            }
            let zα = λ / lyaRest - 1
            var t = amplitude(z: zα) * exp(sigma * gα)
            if λ < lybObs {
                let zβ = λ / lybRest - 1
                t += lybOverLya * amplitude(z: zβ) * exp(sigma * gβ)
            }
            if λ < llObs {
                // The LyC opacity is smooth: evaluate every 16 pixels, interpolate.
                let node = (i / 16) * 16
                if node != lycNode {
                    lycNode = node
                    lycLo = lymanContinuumTau(restWavelength: observed[node] / (1 + zq), quasarRedshift: zq)
                    let nextIndex = min(node + 16, n - 1)
                    lycHiλ = observed[nextIndex]
                    lycHi = lymanContinuumTau(restWavelength: min(lycHiλ, llObs) / (1 + zq), quasarRedshift: zq)
                }
                let f = lycHiλ > observed[node] ? (λ - observed[node]) / (lycHiλ - observed[node]) : 0
                t += 0.5 * (lycLo + (lycHi - lycLo) * f)
            }
            tau[i] = t
        }
        // Discrete optically thick absorbers.
        for abs in absorbers {
            let column = pow(10, abs.log10Column)
            // Lyman-limit break, σ912 = 6.30e-18 cm², σ ∝ λ³ below the edge.
            let edgeObs = lymanLimit * (1 + abs.redshift)
            let tau912 = column * 6.30e-18
            for i in 0..<n {
                let λ = observed[i]
                if λ >= edgeObs { break }
                let r = λ / edgeObs
                tau[i] += tau912 * r * r * r
            }
            // Lyα and Lyβ lines, averaged over 5 sub-pixel positions so an
            // unresolved saturated core keeps its equivalent width.
            let lines: [(rest: Double, f: Double, gamma: Double)] = [
                (lyaRest, 0.4164, 6.265e8), (lybRest, 0.07912, 1.897e8),
            ]
            for line in lines {
                let centre = line.rest * (1 + abs.redshift)
                // Wings extend ~ √(τ0 a) Doppler widths; 20000 km/s covers any DLA.
                let reachKms = abs.log10Column >= 20 ? 20_000.0 : 2_000.0
                let lo = centre * (1 - reachKms / cKms), hi = centre * (1 + reachKms / cKms)
                var i = lowerBound(observed, lo)
                while i < n && observed[i] <= hi {
                    let λ = observed[i]
                    if λ >= lyaObs { break }
                    let width = i + 1 < n ? observed[i + 1] - λ : (i > 0 ? λ - observed[i - 1] : 0.8)
                    var mean = 0.0
                    for s in 0..<5 {
                        let λs = λ + width * (Double(s) - 2) / 5
                        let dv = cKms * (λs / centre - 1)
                        mean += exp(-voigtTau(dvKms: dv, column: column, bKms: abs.dopplerKms,
                                              f: line.f, restÅ: line.rest, gamma: line.gamma))
                    }
                    mean /= 5
                    tau[i] += mean > 1e-300 ? -log(mean) : 700
                    i += 1
                }
            }
        }
        return tau.map { $0 == 0 ? 1 : exp(-$0) }
    }

    /// First index with a[i] >= x in an ascending array.
    static func lowerBound(_ a: [Double], _ x: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
