/// Encodes values with Parquet's RLE / bit-packed hybrid: runs of 8 or more
/// equal values become RLE runs, the rest bit-packed groups of 8.
enum RLEHybridEncoder {
    static func encode<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * max(bitWidth, 1) / 8 + 16)
        var literal: [UInt64] = []
        let n = values.count
        var i = 0
        while i < n {
            let v = values[i]
            var run = 1
            while i + run < n, values[i + run] == v { run += 1 }
            if run >= 8 {
                // Bit-packed groups hold 8 values: top up the pending group from this run first.
                if literal.count % 8 != 0 {
                    let take = 8 - literal.count % 8
                    literal += repeatElement(UInt64(truncatingIfNeeded: v), count: take)
                    run -= take
                    i += take
                }
                if run >= 8 {
                    flush(&literal, bitWidth: bitWidth, into: &out)
                    writeVarint(UInt64(run) << 1, into: &out)
                    let v64 = UInt64(truncatingIfNeeded: v)
                    for b in 0..<((bitWidth + 7) / 8) { out.append(UInt8(truncatingIfNeeded: v64 >> (8 * UInt64(b)))) }
                    i += run
                    continue
                }
            }
            literal += repeatElement(UInt64(truncatingIfNeeded: v), count: run)
            i += run
        }
        flush(&literal, bitWidth: bitWidth, into: &out)
        return out
    }

    static func encode<T: FixedWidthInteger>(_ values: [T], bitWidth: Int) -> [UInt8] {
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth) }
    }

    /// Writes pending values as bit-packed groups, the last padded with zeros.
    private static func flush(_ literal: inout [UInt64], bitWidth: Int, into out: inout [UInt8]) {
        guard !literal.isEmpty else { return }
        let groups = (literal.count + 7) / 8
        writeVarint(UInt64(groups) << 1 | 1, into: &out)
        // At most 7 bits wait in the accumulator, so a 32-bit value always fits beside them.
        var accumulator: UInt64 = 0
        var bits = 0
        let mask: UInt64 = bitWidth >= 64 ? ~0 : (1 << UInt64(bitWidth)) - 1
        for k in 0..<(groups * 8) {
            let v = k < literal.count ? literal[k] & mask : 0
            accumulator |= v << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: accumulator)) }
        literal.removeAll(keepingCapacity: true)
    }

    static func writeVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
