/// The deprecated BIT_PACKED level encoding of old data pages: values packed
/// MSB-first, without a length prefix; the run is ceil(count·width/8) bytes.
enum LegacyBitPacked {
    static func byteCount(values count: Int, bitWidth: Int) -> Int {
        (count * bitWidth + 7) / 8
    }

    /// Decodes `count` levels; returns how many equal `target` and the largest.
    static func decode(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int, into out: UnsafeMutablePointer<UInt8>,
                       counting target: UInt8) throws(ParquetError) -> (matches: Int, max: UInt32) {
        guard bytes.count >= byteCount(values: count, bitWidth: bitWidth) else {
            throw ParquetError("BIT_PACKED levels need \(byteCount(values: count, bitWidth: bitWidth)) bytes, \(bytes.count) present")
        }
        var matches = 0
        var maxSeen: UInt32 = 0
        var bit = 0
        for i in 0..<count {
            var v: UInt32 = 0
            for _ in 0..<bitWidth {
                let b = (bytes[bit >> 3] >> (7 - UInt8(bit & 7))) & 1
                v = v << 1 | UInt32(b)
                bit += 1
            }
            out[i] = UInt8(truncatingIfNeeded: v)
            if v == UInt32(target) { matches += 1 }
            maxSeen = max(maxSeen, v)
        }
        return (matches, maxSeen)
    }
}
