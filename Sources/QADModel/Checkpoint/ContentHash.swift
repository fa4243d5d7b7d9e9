/// A fast 64-bit content hash (four multiply–rotate lanes over 8-byte words,
/// then a final avalanche). Not cryptographic: it identifies training data
/// and weights, so a resumed run can tell that its inputs changed.
public struct ContentHash: Sendable {
    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    private var length: UInt64 = 0

    public init(seed: UInt64 = 0) {
        lanes = (seed &+ 0x9E37_79B9_7F4A_7C15, seed &+ 0xC2B2_AE3D_27D4_EB4F, seed &+ 0x1656_67B1_9E37_79F9,
                 seed &+ 0x85EB_CA77_C2B2_AE63)
    }

    @inline(__always)
    private static func round(_ h: UInt64, _ x: UInt64) -> UInt64 {
        let v = (h ^ x) &* 0x9E37_79B9_7F4A_7C15
        return (v << 29) | (v >> 35)
    }

    /// Mixes `count` bytes at `pointer`.
    public mutating func update(_ pointer: UnsafeRawPointer, count: Int) {
        var i = 0
        while i + 32 <= count {
            lanes.0 = Self.round(lanes.0, pointer.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            lanes.1 = Self.round(lanes.1, pointer.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            lanes.2 = Self.round(lanes.2, pointer.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            lanes.3 = Self.round(lanes.3, pointer.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        while i < count {
            lanes.0 = Self.round(lanes.0, UInt64(pointer.load(fromByteOffset: i, as: UInt8.self)) | 0x100)
            i += 1
        }
        length &+= UInt64(count)
    }

    public mutating func update(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { update($0.baseAddress!, count: 8) }
    }

    public mutating func update(_ values: [Float]) {
        values.withUnsafeBytes { update($0.baseAddress!, count: $0.count) }
    }

    public var value: UInt64 {
        var h = length
        h = Self.round(h, lanes.0); h = Self.round(h, lanes.1); h = Self.round(h, lanes.2); h = Self.round(h, lanes.3)
        h ^= h >> 33; h = h &* 0xFF51_AFD7_ED55_8CCD; h ^= h >> 33; h = h &* 0xC4CE_B9FE_1A85_EC53; h ^= h >> 33
        return h
    }

    /// 16 hex digits.
    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
