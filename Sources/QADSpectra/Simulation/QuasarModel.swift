import Foundation

/// One emission line (or line component) of the quasar model.
public struct EmissionLine: Sendable, Hashable {
    public var name: String
    /// Vacuum rest wavelength in Å.
    public var restWavelength: Double
    /// Mean rest-frame equivalent width in Å against the power-law continuum.
    public var equivalentWidth: Double
    /// Mean FWHM in km/s.
    public var fwhmKms: Double
    /// Broad-line region (true) or narrow-line region (false): the two scale
    /// their widths independently.
    public var broad: Bool
    /// High-ionization broad lines (CIV, SiIV, NV, HeII) are blueshifted by disk winds.
    public var highIonization: Bool
    /// Index into `QuasarParameters.lineScales`: components of one transition
    /// (Lyα core/wings) and fixed-ratio doublets ([OIII], [NII]) share a scale.
    public var group: Int
}

/// The parameters of one intrinsic quasar spectrum (no IGM absorption).
public struct QuasarParameters: Sendable, Hashable {
    /// Continuum slope α_λ of f_λ ∝ λ^α_λ blueward of `breakWavelength`.
    public var alpha: Double
    /// Change of slope redward of the break (host-galaxy starlight and hot
    /// dust make the optical continuum redder: Vanden Berk et al. 2001 find
    /// α_λ ≈ -1.5 below and ≈ +0.4 above ~5000 Å in the SDSS composite).
    public var redSlopeChange: Double
    public var breakWavelength: Double
    /// Change of slope blueward of 1000 Å (`QuasarModel.euvBreak`): the
    /// extreme-UV continuum is softer, f_ν ∝ ν^-1.4…-1.8 (Telfer et al. 2002,
    /// Stevans et al. 2014, Lusso et al. 2015), i.e. α_λ ≈ -0.3.
    public var euvSlopeChange: Double
    /// Multiplicative EW scale for each line group (`QuasarModel.lineGroups`).
    public var lineScales: [Double]
    /// Multiplicative FWHM scale for all broad lines (black-hole mass and
    /// inclination spread) and for the narrow lines.
    public var broadWidthScale: Double
    public var narrowWidthScale: Double
    /// Velocity shift of the high-ionization broad lines in km/s (negative =
    /// blueshift; CIV is typically blueshifted by ~several hundred km/s,
    /// Richards et al. 2011).
    public var highIonizationShiftKms: Double
    /// Balmer-continuum strength as a fraction of the power law at the Balmer edge.
    public var balmerContinuum: Double
    /// Scale of the UV and optical FeII pseudo-continuum (1 = mean).
    public var feIIScale: Double

    public init(alpha: Double, redSlopeChange: Double, breakWavelength: Double, euvSlopeChange: Double,
                lineScales: [Double],
                broadWidthScale: Double, narrowWidthScale: Double, highIonizationShiftKms: Double,
                balmerContinuum: Double, feIIScale: Double) {
        precondition(lineScales.count == QuasarModel.lineGroups.count, "one scale per line group")
        self.alpha = alpha
        self.redSlopeChange = redSlopeChange
        self.breakWavelength = breakWavelength
        self.euvSlopeChange = euvSlopeChange
        self.lineScales = lineScales
        self.broadWidthScale = broadWidthScale
        self.narrowWidthScale = narrowWidthScale
        self.highIonizationShiftKms = highIonizationShiftKms
        self.balmerContinuum = balmerContinuum
        self.feIIScale = feIIScale
    }

    /// The mean quasar: the SDSS-composite-like spectrum all normalization is
    /// referred to.
    public static let mean = QuasarParameters(
        alpha: -1.5, redSlopeChange: 1.5, breakWavelength: 5000, euvSlopeChange: 1.2,
        lineScales: [Double](repeating: 1, count: QuasarModel.lineGroups.count),
        broadWidthScale: 1, narrowWidthScale: 1, highIonizationShiftKms: -500,
        balmerContinuum: 0.12, feIIScale: 1)

    /// A random quasar. EWs scatter lognormally by ~0.2 dex: a common factor
    /// (0.1 dex, lines of one object rise and fall together) times 0.17 dex per
    /// line group. No Baldwin effect.
    public static func draw(using rng: inout some RandomNumberGenerator) -> QuasarParameters {
        var p = QuasarParameters.mean
        p.alpha = rng.drawNormal(mean: -1.5, sd: 0.3)
        p.redSlopeChange = rng.drawNormal(mean: 1.5, sd: 0.3)
        p.euvSlopeChange = rng.drawNormal(mean: 1.2, sd: 0.3)
        let common = rng.drawLogNormalDex(0.10)
        for g in p.lineScales.indices {
            p.lineScales[g] = common * rng.drawLogNormalDex(0.17)
        }
        // Broad-line FWHM: ~0.15 dex spread around ~4000 km/s (Shen et al. 2011).
        p.broadWidthScale = rng.drawLogNormalDex(0.15)
        p.narrowWidthScale = rng.drawLogNormalDex(0.10)
        // CIV blueshifts: mostly 0–1500 km/s, a tail of strong winds.
        p.highIonizationShiftKms = min(max(rng.drawNormal(mean: -500, sd: 500), -3000), 500)
        p.balmerContinuum = 0.12 * rng.drawLogNormalDex(0.15)
        p.feIIScale = rng.drawLogNormalDex(0.2)
        return p
    }
}

/// Intrinsic quasar spectrum: broken power-law continuum, Gaussian broad and
/// narrow emission lines, Balmer continuum and FeII pseudo-continuum.
public enum QuasarModel {
    static let cKms = 299_792.458

    /// Names of the line groups, in `QuasarParameters.lineScales` order.
    public static let lineGroups: [String] = [
        "Lyb/OVI", "Lya", "NV", "OI", "CII", "SiIV/OIV]", "CIV", "HeII", "AlIII", "SiIII]",
        "CIII]", "CII]", "MgII", "[NeV]", "[OII]", "[NeIII]", "Hd", "Hg", "Hb", "[OIII]",
        "HeI", "Ha", "[NII]", "[SII]",
    ]

    /// Index of a line group by name.
    public static func group(_ name: String) -> Int {
        guard let i = lineGroups.firstIndex(of: name) else { preconditionFailure("no line group \(name)") }
        return i
    }

    /// Emission lines. Rest wavelengths are vacuum values (as in the SDSS/DESI
    /// line lists); EWs follow the Vanden Berk et al. (2001) composite, raised
    /// for NV, HeII and CIV whose composite EWs are lowered by blending and
    /// by the geometric-mean stacking; FWHMs are typical single-epoch values.
    public static let lines: [EmissionLine] = {
        func line(_ name: String, _ λ: Double, _ ew: Double, _ fwhm: Double,
                  broad: Bool = true, high: Bool = false, group: String? = nil) -> EmissionLine {
            EmissionLine(name: name, restWavelength: λ, equivalentWidth: ew, fwhmKms: fwhm,
                         broad: broad, highIonization: high, group: QuasarModel.group(group ?? name))
        }
        return [
            line("Lyb/OVI", 1033.82, 9.0, 5000),
            // Lyα: a ~3000 km/s core on ~9000 km/s wings (total EW ≈ 93 Å).
            line("Lya", 1215.67, 55.0, 3000),
            line("Lya wings", 1215.67, 38.0, 9000, group: "Lya"),
            line("NV", 1240.14, 12.0, 4500, high: true),
            line("OI", 1304.35, 2.0, 3500),
            line("CII", 1335.30, 0.7, 3500),
            line("SiIV/OIV]", 1399.8, 8.1, 5000, high: true),
            line("CIV", 1549.06, 20.0, 3800, high: true),
            line("CIV wings", 1549.06, 10.0, 9000, high: true, group: "CIV"),
            line("HeII", 1640.42, 2.5, 4000, high: true),
            line("AlIII", 1857.40, 0.6, 4000),
            line("SiIII]", 1892.03, 1.5, 4000),
            line("CIII]", 1908.73, 19.0, 5000),
            line("CII]", 2326.44, 2.0, 4000),
            line("MgII", 2798.75, 32.0, 4000),
            line("[NeV]", 3426.85, 1.0, 500, broad: false),
            line("[OII]", 3728.48, 1.6, 500, broad: false),
            line("[NeIII]", 3869.85, 1.4, 600, broad: false),
            line("Hd", 4102.89, 5.0, 3500),
            line("Hg", 4341.68, 12.6, 3500),
            line("Hb", 4862.68, 46.0, 4000),
            // [OIII] 5008/4960 = 2.98 (atomic physics), hence one group.
            line("[OIII]4960", 4960.30, 4.4, 500, broad: false, group: "[OIII]"),
            line("[OIII]5008", 5008.24, 13.2, 500, broad: false, group: "[OIII]"),
            line("HeI", 5877.29, 5.0, 3500),
            // [NII] 6585/6550 = 3.0.
            line("[NII]6550", 6549.86, 1.3, 400, broad: false, group: "[NII]"),
            line("Ha", 6564.61, 195.0, 3000),
            line("[NII]6585", 6585.27, 4.0, 400, broad: false, group: "[NII]"),
            line("[SII]6718", 6718.29, 1.3, 400, broad: false, group: "[SII]"),
            line("[SII]6733", 6732.67, 1.3, 400, broad: false, group: "[SII]"),
        ]
    }()

    /// FeII pseudo-continuum as broad Gaussian humps (centre Å, EW Å, σ Å):
    /// the UV complex 2200–3050 Å (total EW ≈ 60 Å, as in the Vestergaard &
    /// Wilkes 2001 template) and the optical 4450–4700 / 5150–5350 Å blends.
    static let feIIHumps: [(centre: Double, ew: Double, sigma: Double)] = [
        (2420, 14, 70), (2620, 22, 90), (2950, 14, 70), (3180, 6, 60),
        (4570, 18, 80), (5250, 14, 80),
    ]

    /// Rest wavelength of the extreme-UV continuum break.
    public static let euvBreak = 1000.0

    /// Power law normalized to 1 at 1450 Å, with the slope changes at the
    /// EUV and optical breaks.
    @inline(__always)
    static func continuum(_ λ: Double, _ p: QuasarParameters) -> Double {
        if λ < euvBreak {
            return fastPow(euvBreak / 1450, p.alpha) * fastPow(λ / euvBreak, p.alpha + p.euvSlopeChange)
        }
        if λ <= p.breakWavelength { return fastPow(λ / 1450, p.alpha) }
        return fastPow(p.breakWavelength / 1450, p.alpha) * fastPow(λ / p.breakWavelength, p.alpha + p.redSlopeChange)
    }

    /// Balmer continuum (Grandi 1982): B_λ(T_e = 15 000 K)(1 - e^{-τ_λ}),
    /// τ_λ = τ_BE (λ/3646)³ with τ_BE = 1, zero redward of the edge (smoothed by
    /// ~2000 km/s of broad-line blending). Normalized to 1 at the edge.
    @inline(__always)
    static func balmerShape(_ λ: Double) -> Double {
        // Tabulated every 0.5 Å (the shape varies on ≥ 10 Å scales).
        if λ >= 3755 || λ <= 300 { return 0 }
        let x = (λ - 300) * 2
        let i = Int(x)
        let f = x - Double(i)
        return balmerTable[i] * (1 - f) + balmerTable[i + 1] * f
    }

    static let balmerTable: [Double] = (0...6912).map { balmerShapeExact(300 + Double($0) * 0.5) }

    static func balmerShapeExact(_ λ: Double) -> Double {
        let edge = 3646.0
        if λ > edge * 1.03 { return 0 }
        let hcOverkT = 1.438_777e8 / 15_000  // hc/k in Å·K over T
        func planck(_ x: Double) -> Double { 1 / (pow(x, 5) * (exp(hcOverkT / x) - 1)) }
        let shape = planck(λ) * (1 - exp(-pow(λ / edge, 3))) / (planck(edge) * (1 - exp(-1)))
        // Soft edge: logistic over σ ≈ 1% (3000 km/s FWHM).
        let soft = 1 / (1 + exp((λ / edge - 1) / 0.004))
        return shape * soft
    }

    /// Intrinsic spectrum f_λ at rest wavelengths `restÅ` (any order), in units
    /// where the power law is 1 at 1450 Å. Lines are evaluated only within ±6σ.
    public static func restSpectrum(wavelengths restÅ: [Double], parameters p: QuasarParameters) -> [Double] {
        var out = [Double](repeating: 0, count: restÅ.count)
        // Precompute per-line centre, σ and integrated flux (EW × continuum at the line).
        struct Component { var centre: Double; var sigma: Double; var flux: Double }
        var comps: [Component] = []
        comps.reserveCapacity(lines.count + feIIHumps.count)
        for l in lines {
            let scale = p.lineScales[l.group]
            guard scale > 0 else { continue }
            let shift = l.highIonization ? p.highIonizationShiftKms : 0
            let centre = l.restWavelength * (1 + shift / cKms)
            let fwhm = l.fwhmKms * (l.broad ? p.broadWidthScale : p.narrowWidthScale)
            let sigma = centre * fwhm / (cKms * 2.354_820_045)
            comps.append(Component(centre: centre, sigma: sigma,
                                   flux: l.equivalentWidth * scale * continuum(l.restWavelength, p)))
        }
        for h in feIIHumps {
            comps.append(Component(centre: h.centre, sigma: h.sigma,
                                   flux: h.ew * p.feIIScale * continuum(h.centre, p)))
        }
        let norm = 1 / (2 * Double.pi).squareRoot()
        let bcLevel = p.balmerContinuum * continuum(3646, p)
        for (i, λ) in restÅ.enumerated() {
            var f = continuum(λ, p)
            if bcLevel > 0 { f += bcLevel * balmerShape(λ) }
            out[i] = f
        }
        // Each Gaussian touches only pixels within ±6σ: on an ascending grid find
        // them by bisection, otherwise test every pixel.
        let ascending = zip(restÅ, restÅ.dropFirst()).allSatisfy { $0 <= $1 }
        for c in comps {
            let amp = c.flux * norm / c.sigma
            let range = ascending
                ? LymanForest.lowerBound(restÅ, c.centre - 6 * c.sigma)..<LymanForest.lowerBound(restÅ, c.centre + 6 * c.sigma)
                : 0..<restÅ.count
            for i in range {
                let x = (restÅ[i] - c.centre) / c.sigma
                if abs(x) < 6 { out[i] += amp * exp(-0.5 * x * x) }
            }
        }
        return out
    }

    /// Mean rest spectrum used as the normalization reference for every
    /// spectrum: `QuasarParameters.mean` times the mean IGM transmission of a
    /// z ≈ 2.4 sightline (Lyα forest exp(-τ_eff(2.4)) ≈ 0.80 below 1216 Å, plus
    /// Lyβ forest below 1026 Å and Lyman-continuum opacity below 912 Å),
    /// scaled so its mean over 1300–3000 Å is 1. The scale is computed on a
    /// fixed internal grid, so it does not depend on the wavelengths asked for.
    /// Finite and positive over 460–9404 Å.
    public static func meanRestSpectrum(wavelengths: [Double]) -> [Double] {
        let raw = meanRestUnnormalized(wavelengths)
        return raw.map { $0 / meanTemplateScale }
    }

    static func meanRestUnnormalized(_ wavelengths: [Double]) -> [Double] {
        let intrinsic = restSpectrum(wavelengths: wavelengths, parameters: .mean)
        return zip(wavelengths, intrinsic).map { λ, f in
            f * LymanForest.meanTransmission(restWavelength: λ, absorberRedshift: 2.4)
        }
    }

    /// Mean of the unnormalized template over 1300–3000 Å (uniform in λ, 0.25 Å steps).
    static let meanTemplateScale: Double = {
        let grid = stride(from: 1300.0, through: 3000.0, by: 0.25).map { $0 }
        let v = meanRestUnnormalized(grid)
        return v.reduce(0, +) / Double(v.count)
    }()
}
