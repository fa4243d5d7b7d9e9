/// The median (mean of the middle two for an even count, NumPy's convention);
/// NaN when empty. By sorting a copy: for the small sets of summaries,
/// calibration windows and label tallies. (Ingest's per-pixel S/N uses
/// QADSpectra's linear-time `median(&values)`.)
public func median(_ values: [Double]) -> Double {
    if values.isEmpty { return .nan }
    let s = values.sorted()
    let m = s.count / 2
    return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
