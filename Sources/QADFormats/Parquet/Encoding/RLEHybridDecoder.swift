/// Decodes Parquet's RLE / bit-packed hybrid encoding (levels, dictionary
/// indices, RLE booleans). Runs are either `count` copies of one value or
/// groups of 8 values packed LSB-first in `bitWidth` bits each. Every run
/// consumes at least one input byte, so decoding always ends.
struct RLEHybridDecoder {
    private var position: UnsafePointer<UInt8>
    private let end: UnsafePointer<UInt8>
    let bitWidth: Int
    /// Values left over from the last run, produced by the next call.
    private var pendingRepeat = 0
    private var repeatValue: UInt32 = 0
    private var pendingPacked = 0
    private var packedBitOffset = 0
    private var packedBase: UnsafePointer<UInt8>?
    private var packedBytes = 0

    init(_ bytes: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else { throw ParquetError("bit width \(bitWidth) is outside 0...32") }
        // An empty buffer still needs a pointer; nothing is read from it.
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        position = base
        end = base + bytes.count
        self.bitWidth = bitWidth
    }

    /// Bytes consumed so far (runs are consumed whole).
    func consumed(from start: UnsafeRawBufferPointer) -> Int {
        guard let s = start.baseAddress else { return 0 }
        return UnsafeRawPointer(position) - s
    }

    private mutating func readVarint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetError("RLE data ends inside a run header") }
            let b = position.pointee
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw ParquetError("RLE run header longer than 10 bytes") }
        }
    }

    /// Starts the next run.
    private mutating func nextRun() throws(ParquetError) {
        let header = try readVarint()
        if header & 1 == 0 {
            let count = header >> 1
            let width = (bitWidth + 7) / 8
            guard end - position >= width else { throw ParquetError("RLE data ends inside a repeated value") }
            var v: UInt32 = 0
            for i in 0..<width { v |= UInt32(position[i]) << (8 * i) }
            position += width
            guard bitWidth == 32 || v >> bitWidth == 0 else {
                throw ParquetError("RLE repeated value \(v) does not fit in \(bitWidth) bits")
            }
            pendingRepeat = Int(clamping: count)
            repeatValue = v
        } else {
            let groups = header >> 1
            // A writer may stop the last run early, so take what is there.
            let wanted = groups.multipliedReportingOverflow(by: UInt64(max(bitWidth, 1)))
            let available = end - position
            let bytes = wanted.overflow ? available : min(Int(clamping: wanted.partialValue), available)
            let values = bitWidth == 0 ? Int(clamping: groups &* 8) : (bytes * 8) / bitWidth
            guard groups == 0 || values > 0 else { throw ParquetError("RLE data ends inside a bit-packed run") }
            packedBase = position
            packedBytes = bytes
            packedBitOffset = 0
            pendingPacked = min(values, Int(clamping: groups &* 8))
            position += bitWidth == 0 ? 0 : bytes
        }
    }

    /// Dictionary indices. (Concrete entry points: generic code is only
    /// specialized within its own file, and these loops are hot.)
    @discardableResult
    mutating func decodeIndices(into out: UnsafeMutablePointer<UInt32>, count: Int) throws(ParquetError) -> UInt32 {
        try decode(into: out, count: count)
    }

    /// Small values such as RLE booleans, one byte each.
    @discardableResult
    mutating func decodeBytes(into out: UnsafeMutablePointer<UInt8>, count: Int) throws(ParquetError) -> UInt32 {
        try decode(into: out, count: count)
    }

    /// Decodes `count` values into `out`, calling nothing per value for
    /// repeated runs. Returns the largest value seen (for range checks).
    @inline(__always)
    private mutating func decode<T: FixedWidthInteger>(into out: UnsafeMutablePointer<T>, count: Int) throws(ParquetError) -> UInt32 {
        var produced = 0
        var maxSeen: UInt32 = 0
        while produced < count {
            if pendingRepeat > 0 {
                let n = min(pendingRepeat, count - produced)
                (out + produced).update(repeating: T(truncatingIfNeeded: repeatValue), count: n)
                if repeatValue > maxSeen { maxSeen = repeatValue }
                produced += n
                pendingRepeat -= n
            } else if pendingPacked > 0 {
                let n = min(pendingPacked, count - produced)
                let m = BitUnpacker.unpack(packedBase!, byteCount: packedBytes, bitOffset: packedBitOffset,
                                           bitWidth: bitWidth, count: n, into: out + produced)
                if m > maxSeen { maxSeen = m }
                packedBitOffset += n * bitWidth
                produced += n
                pendingPacked -= n
            } else {
                guard position < end else {
                    throw ParquetError("RLE data holds \(produced) values, \(count) expected")
                }
                try nextRun()
            }
        }
        return maxSeen
    }

    /// Decodes the next `count` values into `out` and counts how many equal
    /// `target` (definition levels: how many slots hold a value).
    mutating func decode(into out: UnsafeMutablePointer<UInt8>, count: Int, counting target: UInt8) throws(ParquetError) -> (matches: Int, max: UInt32) {
        let maxSeen = try decode(into: out, count: count)
        var matches = 0
        for i in 0..<count where out[i] == target { matches += 1 }
        return (matches, maxSeen)
    }
}

/// Unpacks little-endian, LSB-first bit-packed values.
enum BitUnpacker {
    /// Unpacks `count` values of `bitWidth` bits starting `bitOffset` bits
    /// into `base` (which holds `byteCount` bytes); returns the largest value.
    @inline(__always)
    static func unpack<T: FixedWidthInteger>(_ base: UnsafePointer<UInt8>, byteCount: Int, bitOffset: Int, bitWidth: Int,
                                             count: Int, into out: UnsafeMutablePointer<T>) -> UInt32 {
        if bitWidth == 0 {
            out.update(repeating: 0, count: count)
            return 0
        }
        let mask: UInt64 = (1 << UInt64(bitWidth)) - 1
        var bit = bitOffset
        var maxSeen: UInt64 = 0
        var i = 0
        let raw = UnsafeRawPointer(base)
        // Fast path: a whole 8-byte word can be loaded at every value.
        while i < count {
            let byte = bit >> 3
            guard byte + 8 <= byteCount else { break }
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            let v = (word >> UInt64(bit & 7)) & mask
            out[i] = T(truncatingIfNeeded: v)
            maxSeen = max(maxSeen, v)
            bit += bitWidth
            i += 1
        }
        // Tail: byte by byte.
        while i < count {
            var v: UInt64 = 0
            var got = 0
            var b = bit
            while got < bitWidth {
                let byte = b >> 3
                let shift = b & 7
                let take = min(8 - shift, bitWidth - got)
                let bits = byte < byteCount ? (UInt64(base[byte]) >> UInt64(shift)) & ((1 << UInt64(take)) - 1) : 0
                v |= bits << UInt64(got)
                got += take
                b += take
            }
            out[i] = T(truncatingIfNeeded: v)
            maxSeen = max(maxSeen, v)
            bit += bitWidth
            i += 1
        }
        return UInt32(truncatingIfNeeded: maxSeen)
    }
}
