/// A look at the pages of a column chunk without decoding them: used by
/// tests to see what a writer did (page splits, encodings, checksums).
struct ParquetPageSummary: Sendable, Equatable {
    var type: ParquetPageType
    var encoding: ParquetEncoding?
    var numValues: Int
    var compressedSize: Int
    var uncompressedSize: Int
    var hasChecksum: Bool
    /// Byte offset of the page header in the file.
    var offset: Int
    /// Byte offset of the page body (after the header).
    var bodyOffset: Int
}

extension ParquetFile {
    func pageHeaders(rowGroup: Int, column: String) throws(ParquetError) -> [ParquetPageSummary] {
        let meta = try columnChunk(column, rowGroup: rowGroup)
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        let end = start + meta.totalCompressedSize
        guard start >= 0, end <= Int64(dataEnd), start <= end else {
            throw ParquetError(file: path, rowGroup: rowGroup, column: column, message: "column chunk outside the file")
        }
        let limited = UnsafeRawBufferPointer(rebasing: bytes.bytes[0..<Int(end)])
        var position = Int(start)
        var pages: [ParquetPageSummary] = []
        while position < Int(end) {
            var reader = ThriftCompactReader(limited, at: position)
            let h = try ParquetPageHeader.decode(&reader)
            let encoding = h.dataPage?.encoding ?? h.dataPageV2?.encoding ?? h.dictionaryPage?.encoding
            let n = h.dataPage?.numValues ?? h.dataPageV2?.numValues ?? h.dictionaryPage?.numValues ?? 0
            pages.append(ParquetPageSummary(type: h.type, encoding: encoding, numValues: Int(n),
                                            compressedSize: Int(h.compressedSize), uncompressedSize: Int(h.uncompressedSize),
                                            hasChecksum: h.crc != nil, offset: position, bodyOffset: reader.position))
            guard h.compressedSize >= 0 else { break }
            position = reader.position + Int(h.compressedSize)
        }
        return pages
    }
}
