import Foundation

/// The non-generic parts of reading a column chunk: its byte range, page
/// value counts, decompression and the repetition/definition levels.
extension ColumnChunkDecoder {
    /// The byte range of a chunk, checked against the file.
    func chunkRange(_ c: ChunkToDecode) throws -> Range<Int> {
        let m = c.metadata
        func fail(_ message: String) -> ParquetError { ParquetError(rowGroup: c.rowGroup, column: leaf.name, message: message) }
        guard m.type == leaf.physicalType else {
            throw fail("the column chunk has type \(m.type) but the schema says \(leaf.physicalType)")
        }
        // An empty chunk (pyarrow writes one per column of an empty table) has
        // nothing to read, and writers leave its offsets at 0.
        if m.numValues == 0 { return 0..<0 }
        var start = m.dataPageOffset
        if let d = m.dictionaryPageOffset, d > 0, d < start { start = d }
        guard start >= 4, start < Int64(dataEnd) else {
            throw fail("the column chunk starts at byte \(start), outside the file's data (4..<\(dataEnd))")
        }
        guard m.totalCompressedSize >= 0, m.totalCompressedSize <= Int64(dataEnd) - start else {
            throw fail("the column chunk of \(m.totalCompressedSize) bytes at byte \(start) runs past the file's data (\(dataEnd) bytes)")
        }
        return Int(start)..<Int(start + m.totalCompressedSize)
    }

    func pageValueCount(_ n: Int32, seen: Int, declared: Int) throws -> Int {
        guard n >= 0 else { throw ParquetError("negative value count \(n)") }
        guard Int(n) <= declared - seen else {
            throw ParquetError("the page holds \(n) values but only \(declared - seen) of the column chunk's \(declared) are left")
        }
        return Int(n)
    }

    /// The page body as stored, or decompressed into scratch memory.
    func decompress(_ codec: ParquetCompressionCodec, _ body: UnsafeRawBufferPointer, size: Int,
                            scratch: PageScratch) throws -> UnsafeRawBufferPointer {
        if codec == .uncompressed {
            guard body.count == size else {
                throw ParquetError("the uncompressed page holds \(body.count) bytes but its header says \(size)")
            }
            return body
        }
        let out = UnsafeMutableRawBufferPointer(start: scratch.buffer(PageScratch.page, bytes: max(size, 1)), count: size)
        try PageCodec.decompress(codec, body, into: out)
        return UnsafeRawBufferPointer(out)
    }

    typealias Levels = (levels: UnsafePointer<UInt8>?, present: Int?)

    /// Levels of a v1 data page: RLE with a 4-byte length, or legacy BIT_PACKED.
    func levelsV1(_ data: UnsafeRawBufferPointer, _ offset: inout Int, count n: Int, maxLevel: Int,
                          encoding: ParquetEncoding, slot: Int, scratch: PageScratch) throws -> Levels {
        guard maxLevel > 0 else { return (nil, nil) }
        let out = scratch.buffer(slot, bytes: max(n, 1)).assumingMemoryBound(to: UInt8.self)
        let width = Self.bitWidth(maxLevel)
        let result: (matches: Int, max: UInt32)
        switch encoding {
        case .rle:
            guard data.count - offset >= 4 else { throw ParquetError("the page ends before its level data") }
            let length = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            offset += 4
            guard length <= data.count - offset else {
                throw ParquetError("level data of \(length) bytes runs past the end of the page")
            }
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[offset..<(offset + length)]), bitWidth: width)
            result = try decoder.decode(into: out, count: n, counting: UInt8(maxLevel))
            offset += length
        case .bitPacked:
            let length = LegacyBitPacked.byteCount(values: n, bitWidth: width)
            guard length <= data.count - offset else { throw ParquetError("BIT_PACKED levels run past the end of the page") }
            result = try LegacyBitPacked.decode(UnsafeRawBufferPointer(rebasing: data[offset..<(offset + length)]),
                                                bitWidth: width, count: n, into: out, counting: UInt8(maxLevel))
            offset += length
        default:
            throw ParquetError("unsupported level encoding \(encoding)")
        }
        guard result.max <= UInt32(maxLevel) else { throw ParquetError("level \(result.max) exceeds the column's maximum \(maxLevel)") }
        return (UnsafePointer(out), result.matches)
    }

    /// Levels of a v2 data page: RLE without a length prefix.
    func levelsV2(_ data: UnsafeRawBufferPointer, count n: Int, maxLevel: Int, slot: Int,
                          scratch: PageScratch) throws -> Levels {
        guard maxLevel > 0 else { return (nil, nil) }
        let out = scratch.buffer(slot, bytes: max(n, 1)).assumingMemoryBound(to: UInt8.self)
        var decoder = try RLEHybridDecoder(data, bitWidth: Self.bitWidth(maxLevel))
        let result = try decoder.decode(into: out, count: n, counting: UInt8(maxLevel))
        guard result.max <= UInt32(maxLevel) else { throw ParquetError("level \(result.max) exceeds the column's maximum \(maxLevel)") }
        return (UnsafePointer(out), result.matches)
    }

    static func bitWidth(_ maxLevel: Int) -> Int {
        maxLevel == 0 ? 0 : Int.bitWidth - maxLevel.leadingZeroBitCount
    }
}
