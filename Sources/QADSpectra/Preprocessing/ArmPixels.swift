/// One arm's flux, ivar and mask as the preprocessing kernel reads them: views
/// into arrays or straight into a mapped FITS file, valid for the call only.
public struct ArmPixels {
    /// Only `mask ≠ 0` matters, so a mask can stay in its stored form.
    public enum Mask {
        case int64(UnsafePointer<Int64>)
        /// 32-bit words compared bit for bit with `zero`, the pattern of the value
        /// 0: lets FITS data (big-endian, uint32 as int32 + 2^31) be used as stored.
        case bits32(UnsafePointer<UInt32>, zero: UInt32)
    }

    /// float32 flux and ivar, native or (as FITS stores them) big-endian.
    let flux: UnsafeRawPointer
    let ivar: UnsafeRawPointer
    let bigEndian: Bool
    public let mask: Mask

    public init(flux: UnsafePointer<Float>, ivar: UnsafePointer<Float>, mask: Mask) {
        self.flux = UnsafeRawPointer(flux)
        self.ivar = UnsafeRawPointer(ivar)
        self.bigEndian = false
        self.mask = mask
    }

    /// Big-endian float32 flux and ivar, e.g. FITS image rows mapped from the file.
    public init(bigEndianFlux flux: UnsafeRawPointer, ivar: UnsafeRawPointer, mask: Mask) {
        self.flux = flux
        self.ivar = ivar
        self.bigEndian = true
        self.mask = mask
    }

    @inline(__always)
    func isMasked(_ i: Int) -> Bool {
        switch mask {
        case .int64(let m): return m[i] != 0
        case .bits32(let m, let zero): return m[i] != zero
        }
    }

    @inline(__always)
    func fluxValue(_ i: Int) -> Float { bigEndian ? BigEndianFloat.load(flux, i) : NativeFloat.load(flux, i) }

    @inline(__always)
    func ivarValue(_ i: Int) -> Float { bigEndian ? BigEndianFloat.load(ivar, i) : NativeFloat.load(ivar, i) }
}

/// How a float32 is stored, so the per-pixel loops are specialized per order.
protocol StoredFloat {
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float
}

enum NativeFloat: StoredFloat {
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float { p.load(fromByteOffset: 4 * i, as: Float.self) }
}

enum BigEndianFloat: StoredFloat {
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float {
        Float(bitPattern: UInt32(bigEndian: p.load(fromByteOffset: 4 * i, as: UInt32.self)))
    }
}
