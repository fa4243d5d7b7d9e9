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
    func fluxValue(_ i: Int) -> Float { bigEndian ? BigEndianFloat.load(flux, i) : NativeFloat.load(flux, i) }

    @inline(__always)
    func ivarValue(_ i: Int) -> Float { bigEndian ? BigEndianFloat.load(ivar, i) : NativeFloat.load(ivar, i) }
}

/// How a float32 is stored, so the per-pixel loops are specialized per order.
protocol StoredFloat {
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float
    /// Values i…i+3.
    static func load4(_ p: UnsafeRawPointer, _ i: Int) -> SIMD4<Float>
}

enum NativeFloat: StoredFloat {
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float { p.load(fromByteOffset: 4 * i, as: Float.self) }

    @inline(__always)
    static func load4(_ p: UnsafeRawPointer, _ i: Int) -> SIMD4<Float> {
        p.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
    }
}

enum BigEndianFloat: StoredFloat {
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, _ i: Int) -> Float {
        Float(bitPattern: UInt32(bigEndian: p.load(fromByteOffset: 4 * i, as: UInt32.self)))
    }

    @inline(__always)
    static func load4(_ p: UnsafeRawPointer, _ i: Int) -> SIMD4<Float> {
        let x = p.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<UInt32>.self)
        let swapped = (x &>> 24) | ((x &>> 8) & 0xff00) | ((x &<< 8) & 0xff_0000) | (x &<< 24)
        return unsafeBitCast(swapped, to: SIMD4<Float>.self)
    }
}

/// A stored mask word, of which only `≠ zero` matters.
protocol MaskWord: FixedWidthInteger {
    /// Whether words i…i+3 differ from `zero`, as lanes of float32 width.
    static func isSet4(_ p: UnsafePointer<Self>, _ i: Int, zero: Self) -> SIMDMask<SIMD4<Int32>>
}

extension Int64: MaskWord {
    @inline(__always)
    static func isSet4(_ p: UnsafePointer<Int64>, _ i: Int, zero: Int64) -> SIMDMask<SIMD4<Int32>> {
        let w = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Int64>.self) ^ SIMD4(repeating: zero)
        // Nonzero exactly when one of its halves is.
        return SIMD4<Int32>(truncatingIfNeeded: w | (w &>> 32)) .!= SIMD4<Int32>()
    }
}

extension UInt32: MaskWord {
    @inline(__always)
    static func isSet4(_ p: UnsafePointer<UInt32>, _ i: Int, zero: UInt32) -> SIMDMask<SIMD4<Int32>> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<UInt32>.self) .!= SIMD4(repeating: zero)
    }
}
