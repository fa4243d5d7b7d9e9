/// One arm's flux, ivar and mask as the preprocessing kernel reads them: views
/// into arrays or into a block read from a file, valid for the call only.
public struct ArmPixels {
    /// Only `mask ≠ 0` matters, so a mask can stay in its stored form.
    public enum Mask {
        case int64(UnsafePointer<Int64>)
        /// 32-bit words compared bit for bit with `zero`, the pattern of the value
        /// 0: lets a FITS block (big-endian, uint32 as int32 + 2^31) be used as read.
        case bits32(UnsafePointer<UInt32>, zero: UInt32)
    }

    public var flux: UnsafePointer<Float>
    public var ivar: UnsafePointer<Float>
    public var mask: Mask

    public init(flux: UnsafePointer<Float>, ivar: UnsafePointer<Float>, mask: Mask) {
        self.flux = flux
        self.ivar = ivar
        self.mask = mask
    }

    @inline(__always)
    func isMasked(_ i: Int) -> Bool {
        switch mask {
        case .int64(let m): return m[i] != 0
        case .bits32(let m, let zero): return m[i] != zero
        }
    }
}
