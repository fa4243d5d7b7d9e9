/// PLAIN encoding of the present values of a page, and the statistics of a
/// column chunk's values.
enum PlainEncoder {
    /// Encodes `values[slots[i]]` for the given range of present slots.
    static func encode(_ values: ParquetValues, slots: ArraySlice<Int>) -> [UInt8] {
        switch values {
        case .boolean(let v):
            var out = [UInt8](repeating: 0, count: (slots.count + 7) / 8)
            for (i, s) in slots.enumerated() where v[s] { out[i >> 3] |= 1 << UInt8(i & 7) }
            return out
        case .int32(let v): return fixed(v, slots)
        case .int64(let v): return fixed(v, slots)
        case .float(let v): return fixed(v, slots)
        case .double(let v): return fixed(v, slots)
        case .bytes(let v, _):
            var total = 0
            for s in slots { total += 4 + v.offsets[s + 1] - v.offsets[s] }
            var out: [UInt8] = []
            out.reserveCapacity(total)
            for s in slots {
                let length = UInt32(v.offsets[s + 1] - v.offsets[s])
                withUnsafeBytes(of: length.littleEndian) { out.append(contentsOf: $0) }
                out.append(contentsOf: v[s])
            }
            return out
        }
    }

    private static func fixed<T: BitwiseCopyable>(_ values: [T], _ slots: ArraySlice<Int>) -> [UInt8] {
        let size = MemoryLayout<T>.size
        return [UInt8](unsafeUninitializedCapacity: slots.count * size) { out, initialized in
            values.withUnsafeBytes { src in
                // Consecutive slots (no nulls): one copy.
                if let first = slots.first, slots.last! - first == slots.count - 1 {
                    out.baseAddress!.update(from: src.baseAddress!.assumingMemoryBound(to: UInt8.self) + first * size,
                                            count: slots.count * size)
                } else {
                    let dst = UnsafeMutableRawPointer(out.baseAddress!)
                    for (i, s) in slots.enumerated() {
                        dst.advanced(by: i * size).copyMemory(from: src.baseAddress! + s * size, byteCount: size)
                    }
                }
            }
            initialized = slots.count * size
        }
    }

    /// Min and max (PLAIN-encoded) of the present values: NaN is skipped, a
    /// zero minimum is written as -0 and a zero maximum as +0 (the Parquet
    /// rules), strings compare as unsigned bytes. nil when nothing qualifies.
    static func minMax(_ values: ParquetValues, slots: [Int]) -> (min: [UInt8], max: [UInt8])? {
        func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        switch values {
        case .boolean(let v):
            guard !slots.isEmpty else { return nil }
            let anyTrue = slots.contains { v[$0] }, anyFalse = slots.contains { !v[$0] }
            return ([anyFalse ? 0 : 1], [anyTrue ? 1 : 0])
        case .int32(let v):
            guard let lo = slots.lazy.map({ v[$0] }).min(), let hi = slots.lazy.map({ v[$0] }).max() else { return nil }
            return (bytes(lo.littleEndian), bytes(hi.littleEndian))
        case .int64(let v):
            guard let lo = slots.lazy.map({ v[$0] }).min(), let hi = slots.lazy.map({ v[$0] }).max() else { return nil }
            return (bytes(lo.littleEndian), bytes(hi.littleEndian))
        case .float(let v):
            guard let (lo, hi) = floatingMinMax(slots.lazy.map { v[$0] }) else { return nil }
            return (bytes(lo.bitPattern.littleEndian), bytes(hi.bitPattern.littleEndian))
        case .double(let v):
            guard let (lo, hi) = floatingMinMax(slots.lazy.map { v[$0] }) else { return nil }
            return (bytes(lo.bitPattern.littleEndian), bytes(hi.bitPattern.littleEndian))
        case .bytes(let v, _):
            guard var lo = slots.first else { return nil }
            var hi = lo
            for s in slots.dropFirst() {
                if v[s].lexicographicallyPrecedes(v[lo]) { lo = s }
                if v[hi].lexicographicallyPrecedes(v[s]) { hi = s }
            }
            return (Array(v[lo]), Array(v[hi]))
        }
    }

    private static func floatingMinMax<T: BinaryFloatingPoint, S: Sequence<T>>(_ values: S) -> (T, T)? {
        var lo: T?, hi: T?
        for x in values where !x.isNaN {
            if lo == nil || x < lo! { lo = x }
            if hi == nil || x > hi! { hi = x }
        }
        guard var lo, var hi else { return nil }
        if lo == 0 { lo = -0.0 }
        if hi == 0 { hi = 0.0 }
        return (lo, hi)
    }
}
