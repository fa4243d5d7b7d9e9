/// DESI TARGETIDs exceed 2^53, so they are Int64 everywhere (files, store,
/// JSON, CSV) and never pass through a Double.
public typealias TargetID = Int64

/// qad's identifier for an SDSS spectrum, which has no TARGETID: the bit
/// layout of SDSS's SpecObjID (plate << 50 | fiber << 38 | (mjd - 50000) << 24)
/// with the run2d bits left at zero. Positive, unique per plate/MJD/fiber, and
/// above DESI TARGETIDs (< 2^56) for every plate >= 64.
public func sdssSpectrumID(plate: Int, mjd: Int, fiber: Int) -> TargetID {
    (Int64(plate) << 50) | (Int64(fiber) << 38) | (Int64(mjd - 50000) << 24)
}
