/// Units an external catalog may give its coordinates in.
public enum AngleUnit: String, Sendable, CaseIterable {
    case degree = "deg"
    /// Hours of RA (15° each); meaningful for RA only.
    case hour
    case radian = "rad"

    /// The value in degrees.
    @inline(__always)
    public func degrees(_ value: Double) -> Double {
        switch self {
        case .degree: value
        case .hour: value * 15
        case .radian: value * SkyGeometry.degreesPerRadian
        }
    }

    /// Accepts the spellings catalogs use in their unit fields (deg, degree, h, hourangle, rad, …).
    public init?(spelling: String) {
        switch spelling.lowercased() {
        case "deg", "degree", "degrees", "d": self = .degree
        case "h", "hour", "hours", "hourangle", "hr": self = .hour
        case "rad", "radian", "radians": self = .radian
        default: return nil
        }
    }
}
