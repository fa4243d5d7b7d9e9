import Foundation

/// A column computed from a match's kept values.
public struct DerivedColumn: Sendable {
    public var name: String
    public var kind: CatalogValueKind
    public var unit: String?
    public var description: String
    /// Value from the kept values, keyed by upper-cased column name.
    public var compute: @Sendable ([String: CatalogValue]) -> CatalogValue
}

/// Mid-infrared colour of a WISE counterpart and the AGN colour selections.
///
/// - W1_W2: W1 − W2 in Vega magnitudes, from w1mpro/w2mpro (AllWISE, CatWISE)
///   or, for Legacy Surveys unWISE photometry, from FLUX_W1/FLUX_W2 (AB
///   nanomaggies): m_Vega = 22.5 − 2.5 log10(flux) − Δ, Δ = 2.699 (W1), 3.339 (W2).
/// - MIR_AGN_S12: Stern et al. (2012), W1 − W2 ≥ 0.8, defined for W2 < 15.05;
///   null for fainter sources, where the cut is not reliable.
/// - MIR_AGN_A18: Assef et al. (2018) R90 (90% reliability), W1 − W2 >
///   0.65 exp[0.153 (W2 − 13.86)²] for W2 > 13.86, else > 0.65; defined for
///   W2 ≤ 17.11 (AllWISE's 90% completeness), null beyond.
public enum WISEColours {
    static let vegaOffsetW1 = 2.699
    static let vegaOffsetW2 = 3.339

    /// (W1, W2) Vega magnitudes of a counterpart, if it has both.
    public static func vegaMagnitudes(_ v: [String: CatalogValue]) -> (Double, Double)? {
        func first(_ names: [String]) -> Double? {
            for n in names { if let d = v[n]?.double, d.isFinite { return d } }
            return nil
        }
        if let w1 = first(["W1MPRO", "W1MAG", "W1_MAG"]), let w2 = first(["W2MPRO", "W2MAG", "W2_MAG"]) {
            return (w1, w2)
        }
        if let f1 = first(["FLUX_W1"]), let f2 = first(["FLUX_W2"]), f1 > 0, f2 > 0 {
            return (22.5 - 2.5 * log10(f1) - vegaOffsetW1, 22.5 - 2.5 * log10(f2) - vegaOffsetW2)
        }
        return nil
    }

    public static func stern2012(w1: Double, w2: Double) -> Bool? {
        w2 < 15.05 ? (w1 - w2 >= 0.8) : nil
    }

    public static func assef2018R90(w1: Double, w2: Double) -> Bool? {
        guard w2 <= 17.11 else { return nil }
        let threshold = w2 > 13.86 ? 0.65 * exp(0.153 * (w2 - 13.86) * (w2 - 13.86)) : 0.65
        return w1 - w2 > threshold
    }

    public static let columns: [DerivedColumn] = [
        DerivedColumn(name: "W1_W2", kind: .float64, unit: "mag", description: "W1-W2 colour (Vega) of the nearest WISE source") { v in
            vegaMagnitudes(v).map { .float64($0.0 - $0.1) } ?? .null
        },
        DerivedColumn(name: "MIR_AGN_S12", kind: .bool, unit: nil,
                      description: "mid-IR AGN colour, Stern+2012: W1-W2>=0.8 (Vega), only for W2<15.05") { v in
            guard let (w1, w2) = vegaMagnitudes(v), let f = stern2012(w1: w1, w2: w2) else { return .null }
            return .bool(f)
        },
        DerivedColumn(name: "MIR_AGN_A18", kind: .bool, unit: nil,
                      description: "mid-IR AGN colour, Assef+2018 R90 criterion, only for W2<=17.11") { v in
            guard let (w1, w2) = vegaMagnitudes(v), let f = assef2018R90(w1: w1, w2: w2) else { return .null }
            return .bool(f)
        },
    ]
}
