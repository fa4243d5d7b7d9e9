import CCFITSIO

extension FITSFile {
    /// Image dimensions in NumPy order (slowest axis first): a DESI flux HDU is
    /// [nspec, nwave].
    public func imageShape() throws -> [Int] {
        guard try currentKind() == .image else { throw fail("not an image HDU") }
        var status: Int32 = 0
        var naxis: Int32 = 0
        ffgidm(handle, &naxis, &status)
        try check(status, "cannot read image dimensions")
        var axes = [Int64](repeating: 0, count: Int(max(naxis, 1)))
        ffgiszll(handle, naxis, &axes, &status)
        try check(status, "cannot read image size")
        return axes.prefix(Int(naxis)).reversed().map { Int($0) }
    }

    /// The whole image of the current HDU, converted to `T` (BSCALE/BZERO applied).
    public func readImage<T: FITSNumeric>(_: T.Type = T.self) throws -> [T] {
        let count = try imageShape().reduce(1, *)
        var out = [T](repeating: 0, count: count)
        try out.withUnsafeMutableBufferPointer { try readImageElements(first: 0, into: $0) }
        return out
    }

    /// Reads `buffer.count` consecutive elements starting at 0-based `first`:
    /// one row of a [nspec, nwave] image is `first = row * nwave`.
    public func readImageElements<T: FITSNumeric>(first: Int, into buffer: UnsafeMutableBufferPointer<T>,
                                                  row: Int? = nil) throws {
        guard buffer.count > 0 else { return }
        var status: Int32 = 0
        var anyNull: Int32 = 0
        var nullValue: T = 0
        withUnsafeMutablePointer(to: &nullValue) { null in
            _ = ffgpv(handle, T.fitsDataType, Int64(first + 1), Int64(buffer.count), null,
                      buffer.baseAddress, &anyNull, &status)
        }
        try check(status, "cannot read image data", row: row)
    }

    /// BITPIX after BSCALE/BZERO (e.g. 40 for uint32 stored as int32 + 2^31).
    public func imageEquivalentBitpix() throws -> Int32 {
        var status: Int32 = 0
        var bitpix: Int32 = 0
        ffgiet(handle, &bitpix, &status)
        try check(status, "cannot read image type")
        return bitpix
    }

    /// Several rows of a 2-D image, in the order asked. Nearby rows are read
    /// together, a span of up to `maxSpan` rows per cfitsio call: row-by-row
    /// reads of ~10 KB go through cfitsio's 2880-byte buffers, one system call
    /// each, and that was most of ingest's wall time.
    public func readImageRows<T: FITSNumeric>(_ rows: [Int], width: Int, maxSpan: Int = 64) throws -> [[T]] {
        var out = [[T]](repeating: [], count: rows.count)
        let order = rows.indices.sorted { rows[$0] < rows[$1] }
        var scratch = [T]()
        var k = 0
        while k < order.count {
            let first = rows[order[k]]
            var end = k
            while end + 1 < order.count, rows[order[end + 1]] - first < maxSpan { end += 1 }
            let last = rows[order[end]]
            let span = (last - first + 1) * width
            if scratch.count < span { scratch = [T](repeating: 0, count: span) }
            try scratch.withUnsafeMutableBufferPointer {
                try readImageElements(first: first * width, into: UnsafeMutableBufferPointer(rebasing: $0[0..<span]), row: first)
            }
            for m in k...end {
                let offset = (rows[order[m]] - first) * width
                out[order[m]] = Array(scratch[offset..<(offset + width)])
            }
            k = end + 1
        }
        return out
    }

    /// Rows of an integer image as Int64, whatever its stored integer type
    /// (uint32 as int32 + BZERO 2^31, int32, int16, …), read in spans like
    /// `readImageRows`. Tile-compressed images cannot be read as 64-bit
    /// integers by cfitsio, so rows are read in their own width and widened.
    public func readIntegerImageRows(_ rows: [Int], width: Int, bitpix: Int32) throws -> [[Int64]] {
        switch bitpix {
        case Int32(ULONG_IMG):
            return try (readImageRows(rows, width: width) as [[UInt32]]).map { $0.map(Int64.init) }
        case Int32(LONGLONG_IMG), Int32(FLOAT_IMG), Int32(DOUBLE_IMG):
            return try readImageRows(rows, width: width)
        default:
            return try (readImageRows(rows, width: width) as [[Int32]]).map { $0.map(Int64.init) }
        }
    }

    /// Row `row` (0-based) of a 2-D image whose rows have `width` elements.
    public func readImageRow<T: FITSNumeric>(_ row: Int, width: Int, into buffer: UnsafeMutableBufferPointer<T>) throws {
        precondition(buffer.count == width)
        try readImageElements(first: row * width, into: buffer, row: row)
    }

    /// Overwrites row `row` of the current 2-D image (a file opened writable).
    public func writeImageRow<T: FITSNumeric>(_ row: Int, width: Int, _ values: [T]) throws {
        precondition(values.count == width)
        var status: Int32 = 0
        var copy = values
        copy.withUnsafeMutableBufferPointer { v in
            _ = ffppr(handle, T.fitsDataType, Int64(row * width + 1), Int64(width), v.baseAddress, &status)
        }
        try check(status, "cannot write image row", row: row)
    }

    /// Appends an image HDU holding `data` with NumPy-order `shape`.
    public func writeImage<T: FITSNumeric>(name: String, shape: [Int], data: [T]) throws {
        guard shape.reduce(1, *) == data.count else {
            throw fail("image \(name): shape \(shape) does not match \(data.count) values")
        }
        var status: Int32 = 0
        var axes = shape.reversed().map { Int64($0) }
        ffcrimll(handle, T.fitsBitpix, Int32(axes.count), &axes, &status)
        currentHDUName = name
        try check(status, "cannot create image")
        try writeKey("EXTNAME", name)
        var copy = data
        copy.withUnsafeMutableBufferPointer { values in
            _ = ffppr(handle, T.fitsDataType, 1, Int64(values.count), values.baseAddress, &status)
        }
        try check(status, "cannot write image data")
    }

    /// Appends an image HDU of `shape` and fills it row by row through `fill`,
    /// so a large image never sits in memory whole.
    public func writeImageRows<T: FITSNumeric>(name: String, rows: Int, width: Int,
                                               fill: (Int, UnsafeMutableBufferPointer<T>) throws -> Void) throws {
        var status: Int32 = 0
        var axes: [Int64] = [Int64(width), Int64(rows)]
        ffcrimll(handle, T.fitsBitpix, 2, &axes, &status)
        currentHDUName = name
        try check(status, "cannot create image")
        try writeKey("EXTNAME", name)
        var row = [T](repeating: 0, count: width)
        for r in 0..<rows {
            try row.withUnsafeMutableBufferPointer { buf in
                try fill(r, buf)
                ffppr(handle, T.fitsDataType, Int64(r * width + 1), Int64(width), buf.baseAddress, &status)
            }
            try check(status, "cannot write image row", row: r)
        }
    }
}
