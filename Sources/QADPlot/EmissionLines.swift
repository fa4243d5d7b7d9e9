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
