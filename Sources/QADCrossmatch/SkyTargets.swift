import QADCore

/// The qad targets to match: TARGETID and position in degrees (ICRS).
public struct SkyTargets: Sendable {
    public let ids: [TargetID]
    public let ra: [Double]
    public let dec: [Double]
    public var count: Int { ids.count }

    /// Checks every position: finite, Dec within [-90, 90]. `source` names where
    /// they came from for the message.
    public init(ids: [TargetID], ra: [Double], dec: [Double], source: String = "targets") throws(LocatedError) {
        guard ids.count == ra.count, ra.count == dec.count else {
            throw LocatedError(file: source, message: "\(ids.count) ids, \(ra.count) RAs, \(dec.count) Decs")
        }
        for i in ids.indices {
            guard ra[i].isFinite else { throw LocatedError(file: source, column: "RA", row: i, message: "TARGETID \(ids[i]): RA is \(ra[i])") }
            guard dec[i].isFinite, abs(dec[i]) <= 90 else {
                throw LocatedError(file: source, column: "DEC", row: i, message: "TARGETID \(ids[i]): Dec \(dec[i]) is outside [-90, 90]")
            }
        }
        self.ids = ids
        self.ra = ra
        self.dec = dec
    }
}
