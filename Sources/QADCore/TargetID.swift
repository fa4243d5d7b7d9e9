/// DESI TARGETIDs exceed 2^53, so they are Int64 everywhere (files, store,
/// JSON, CSV) and never pass through a Double.
public typealias TargetID = Int64

/// qad's identifier for an SDSS spectrum, which has no TARGETID:
/// `1 << 62 | plate << 24 | fiber << 14 | (mjd − 50000)`. Bit 62 is unused by
/// DESI TARGETIDs (their highest field, GAIADR, ends at bit 61), so the two never
/// collide; plates up to 2^15, fibers up to 1023 and MJDs 50000–66383 fit, and
/// the id stays positive. (SDSS's own SpecObjID puts the plate at bit 50 and
/// overflows Int64 from plate 8192 on, which eBOSS reaches.)
public func sdssSpectrumID(plate: Int, mjd: Int, fiber: Int) -> TargetID {
    (Int64(1) << 62) | (Int64(plate) << 24) | (Int64(fiber) << 14) | Int64(mjd - 50000)
}

/// The (plate, mjd, fiber) an SDSS id was made from, or nil for a DESI TARGETID.
public func sdssPlateMJDFiber(_ id: TargetID) -> (plate: Int, mjd: Int, fiber: Int)? {
    guard id >> 62 == 1 else { return nil }
    return (Int((id >> 24) & 0x7fff), Int(id & 0x3fff) + 50000, Int((id >> 14) & 0x3ff))
}
