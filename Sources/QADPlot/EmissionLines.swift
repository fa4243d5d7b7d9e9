/// Rest-frame (vacuum) wavelengths of the lines drawn on every spectrum, so a
/// reviewer sees where a quasar's features should sit at the catalog redshift.
public struct EmissionLine: Sendable, Codable, Equatable {
    public var name: String
    /// Name in plain ASCII, for the PNG's bitmap font.
    public var ascii: String
    public var restLambda: Double

    public static let quasarLines: [EmissionLine] = [
        .init(name: "Lyβ", ascii: "Lyb", restLambda: 1025.72),
        .init(name: "Lyα", ascii: "Lya", restLambda: 1215.67),
        .init(name: "NV", ascii: "NV", restLambda: 1240.14),
        .init(name: "SiIV", ascii: "SiIV", restLambda: 1399.8),
        .init(name: "CIV", ascii: "CIV", restLambda: 1549.06),
        .init(name: "HeII", ascii: "HeII", restLambda: 1640.42),
        .init(name: "CIII]", ascii: "CIII]", restLambda: 1908.73),
        .init(name: "MgII", ascii: "MgII", restLambda: 2798.75),
        .init(name: "[NeV]", ascii: "[NeV]", restLambda: 3426.84),
        .init(name: "[OII]", ascii: "[OII]", restLambda: 3728.48),
        .init(name: "[NeIII]", ascii: "[NeIII]", restLambda: 3868.76),
        .init(name: "Hδ", ascii: "Hd", restLambda: 4102.89),
        .init(name: "Hγ", ascii: "Hg", restLambda: 4341.68),
        .init(name: "Hβ", ascii: "Hb", restLambda: 4862.68),
        .init(name: "[OIII]", ascii: "[OIII]", restLambda: 5008.24),
        .init(name: "HeI", ascii: "HeI", restLambda: 5877.29),
        .init(name: "Hα", ascii: "Ha", restLambda: 6564.61),
    ]
}

/// Narrow absorption lines a reviewer checks for: intervening or associated
/// metal absorbers (drawn at a redshift the reviewer picks) and the Milky
/// Way's own Ca II H&K and Na I D, which sit at z = 0 in every spectrum.
/// Vacuum wavelengths (Å).
public struct AbsorptionLine: Sendable, Codable, Equatable {
    public var name: String
    public var restLambda: Double
    /// True for the Galaxy's lines: at rest in the observed frame.
    public var galactic: Bool

    public static let markers: [AbsorptionLine] = [
        .init(name: "SiII", restLambda: 1260.42, galactic: false),
        .init(name: "CII", restLambda: 1334.53, galactic: false),
        .init(name: "SiIV", restLambda: 1393.76, galactic: false),
        .init(name: "SiIV", restLambda: 1402.77, galactic: false),
        .init(name: "CIV", restLambda: 1548.20, galactic: false),
        .init(name: "CIV", restLambda: 1550.78, galactic: false),
        .init(name: "AlIII", restLambda: 1854.72, galactic: false),
        .init(name: "AlIII", restLambda: 1862.79, galactic: false),
        .init(name: "FeII", restLambda: 2344.21, galactic: false),
        .init(name: "FeII", restLambda: 2382.77, galactic: false),
        .init(name: "FeII", restLambda: 2600.17, galactic: false),
        .init(name: "MgII", restLambda: 2796.35, galactic: false),
        .init(name: "MgII", restLambda: 2803.53, galactic: false),
        .init(name: "Ca K", restLambda: 3934.78, galactic: true),
        .init(name: "Ca H", restLambda: 3969.59, galactic: true),
        .init(name: "Na D2", restLambda: 5891.58, galactic: true),
        .init(name: "Na D1", restLambda: 5897.56, galactic: true),
    ]
}
