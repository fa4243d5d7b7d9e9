import CZlib

/// Encodes one column of one row group as a column chunk: pages that end at
/// row boundaries once they reach the size limit, RLE levels, PLAIN values,
/// the chosen codec, CRCs and chunk statistics.
struct ColumnChunkWriter {
    let field: ParquetField
    let options: ParquetWriteOptions

    struct Chunk {
        var bytes: [UInt8]
        var metadata: ParquetColumnMetadata
    }

    /// Encodes the chunk as it will sit at `fileOffset` in the file.
    func encode(_ column: ParquetColumn, fileOffset: Int) throws(ParquetError) -> Chunk {
        let levels = try ColumnLevels(column, field: field)
        let rows = column.rowCount
        var bytes: [UInt8] = []
        var uncompressedTotal = 0
        var row = 0
        while row < rows {
            let end = pageEnd(startingAt: row, levels: levels, values: column.values, rows: rows)
            let (page, uncompressed) = try encodePage(rows: row..<end, levels: levels, values: column.values)
            bytes += page
            uncompressedTotal += uncompressed
            row = end
        }
        var statistics: ParquetStatistics?
        if options.writeStatistics {
            var s = ParquetStatistics(nullCount: Int64(levels.entryCount - levels.presentSlots.count))
            if let (lo, hi) = PlainEncoder.minMax(column.values, slots: levels.presentSlots) {
                s.minValue = lo
                s.maxValue = hi
            }
            statistics = s
        }
        var encodings: [ParquetEncoding] = [.plain]
        if field.maxDefinitionLevel > 0 || field.maxRepetitionLevel > 0 { encodings.append(.rle) }
        let metadata = ParquetColumnMetadata(
            type: field.type.physicalType, encodings: encodings, pathInSchema: field.leafPath,
            codec: options.compression.codec, numValues: Int64(levels.entryCount),
            totalUncompressedSize: Int64(uncompressedTotal), totalCompressedSize: Int64(bytes.count),
            dataPageOffset: Int64(fileOffset), dictionaryPageOffset: nil, statistics: statistics)
        return Chunk(bytes: bytes, metadata: metadata)
    }

    /// The first row after the page starting at `start`: rows are added until
    /// the page's values and levels reach the size limit (at least one row).
    private func pageEnd(startingAt start: Int, levels: ColumnLevels, values: ParquetValues, rows: Int) -> Int {
        let levelBits = ColumnChunkDecoder.bitWidth(field.maxRepetitionLevel) + ColumnChunkDecoder.bitWidth(field.maxDefinitionLevel)
        var size = 0
        var row = start
        while row < rows {
            let entries = levels.rowEntryStart[row + 1] - levels.rowEntryStart[row]
            size += (entries * levelBits + 7) / 8
            size += valueBytes(values, levels.presentSlots[levels.rowPresentStart[row]..<levels.rowPresentStart[row + 1]])
            row += 1
            if size >= options.pageSizeLimit { break }
        }
        return row
    }

    private func valueBytes(_ values: ParquetValues, _ slots: ArraySlice<Int>) -> Int {
        switch values {
        case .boolean: return (slots.count + 7) / 8
        case .int32, .float: return 4 * slots.count
        case .int64, .double: return 8 * slots.count
        case .bytes(let v, _): return slots.reduce(0) { $0 + 4 + v.offsets[$1 + 1] - v.offsets[$1] }
        }
    }

    /// One data page (header and body); also returns its uncompressed size
    /// including the header, as ColumnMetaData counts it.
    private func encodePage(rows: Range<Int>, levels: ColumnLevels, values: ParquetValues) throws(ParquetError) -> ([UInt8], Int) {
        let entries = levels.rowEntryStart[rows.lowerBound]..<levels.rowEntryStart[rows.upperBound]
        let present = levels.rowPresentStart[rows.lowerBound]..<levels.rowPresentStart[rows.upperBound]
        let rep = field.maxRepetitionLevel > 0
            ? RLEHybridEncoder.encode(Array(levels.repetition[entries]), bitWidth: 1) : []
        let def = field.maxDefinitionLevel > 0
            ? RLEHybridEncoder.encode(Array(levels.definition[entries]),
                                      bitWidth: ColumnChunkDecoder.bitWidth(field.maxDefinitionLevel)) : []
        let plain = PlainEncoder.encode(values, slots: levels.presentSlots[present])
        let body: [UInt8]
        var header: ParquetPageHeader
        switch options.dataPageVersion {
        case .v1:
            var raw: [UInt8] = []
            raw.reserveCapacity(rep.count + def.count + plain.count + 8)
            for levelBytes in [rep, def] where !levelBytes.isEmpty {
                withUnsafeBytes(of: UInt32(levelBytes.count).littleEndian) { raw.append(contentsOf: $0) }
                raw += levelBytes
            }
            raw += plain
            body = try PageCodec.compress(options.compression, raw)
            header = ParquetPageHeader(
                type: .dataPage, uncompressedSize: try size32(raw.count), compressedSize: try size32(body.count),
                dataPage: .init(numValues: try size32(entries.count), encoding: .plain,
                                definitionLevelEncoding: .rle, repetitionLevelEncoding: .rle))
        case .v2:
            let compressed = try PageCodec.compress(options.compression, plain)
            body = rep + def + compressed
            header = ParquetPageHeader(
                type: .dataPageV2, uncompressedSize: try size32(rep.count + def.count + plain.count),
                compressedSize: try size32(body.count),
                dataPageV2: .init(numValues: try size32(entries.count), numNulls: try size32(entries.count - present.count),
                                  numRows: try size32(rows.count), encoding: .plain,
                                  definitionLevelsByteLength: try size32(def.count),
                                  repetitionLevelsByteLength: try size32(rep.count),
                                  isCompressed: options.compression != .none))
        }
        if options.writePageChecksums {
            let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
            header.crc = Int32(bitPattern: UInt32(crc))
        }
        let headerBytes = header.encode()
        return (headerBytes + body, headerBytes.count + Int(header.uncompressedSize))
    }

    private func size32(_ n: Int) throws(ParquetError) -> Int32 {
        guard let v = Int32(exactly: n) else {
            throw ParquetError(column: field.name, message: "a page of \(n) bytes or values exceeds Parquet's 2 GB page limit")
        }
        return v
    }
}
