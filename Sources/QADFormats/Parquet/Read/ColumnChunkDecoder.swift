import CZlib
import Foundation

#if _endian(big)
#error("qad's Parquet reader copies PLAIN values as they are stored: little-endian hosts only")
#endif

// The hot loops (pages, value sinks) live in this one file so the optimizer
// can specialize the generic sinks for each value type.

/// A chunk of one leaf column to decode, with where it sits.
struct ChunkToDecode {
    var rowGroup: Int
    var metadata: ParquetColumnMetadata
    var rows: Int
}

/// Where one leaf column's values go while its pages are decoded.
protocol ValueSink {
    var count: Int { get }
    var hasDictionary: Bool { get }
    /// Appends `n` PLAIN values; returns the bytes used.
    mutating func appendPlain(_ data: UnsafeRawBufferPointer, count n: Int) throws -> Int
    mutating func setDictionary(_ data: UnsafeRawBufferPointer, count n: Int) throws
    /// Forgets the dictionary: each column chunk brings its own.
    mutating func clearDictionary()
    mutating func appendDictionary(_ indices: UnsafePointer<UInt32>, count n: Int) throws
    /// Booleans decoded from RLE (one 0/1 byte each).
    mutating func appendBits(_ bits: UnsafePointer<UInt8>, count n: Int) throws
    /// Spreads the last `present` values over `slots` slots, leaving a
    /// placeholder where `valid` is false.
    mutating func spread(present: Int, valid: UnsafePointer<Bool>, slots: Int) throws
}

private func overflowError(_ capacity: Int) -> ParquetError {
    ParquetError("the pages hold more values than the \(capacity) the column chunk declares")
}

/// Copies the dictionary entries named by `indices` to `dst`, refusing an
/// index beyond the dictionary.
private func lookUp<T>(_ indices: UnsafePointer<UInt32>, count n: Int, in dictionary: [T],
                       into dst: UnsafeMutablePointer<T>) throws {
    try dictionary.withUnsafeBufferPointer { d in
        for i in 0..<n {
            let k = Int(indices[i])
            guard k < d.count else {
                throw ParquetError("dictionary index \(k) is out of range (the dictionary holds \(d.count) values)")
            }
            dst[i] = d[k]
        }
    }
}

/// Spreads the last `present` of the `count` values in `out` over `slots`
/// slots ending where they started, writing `placeholder` where `valid` is
/// false; returns the new count. Works backwards, so it runs in place.
private func spreadValues<T>(_ out: UnsafeMutablePointer<T>, count: Int, present: Int, valid: UnsafePointer<Bool>,
                             slots: Int, placeholder: T, capacity: Int) throws -> Int {
    let base = count - present
    guard slots <= capacity - base else { throw overflowError(capacity) }
    var source = count - 1
    var k = slots - 1
    while k >= 0 {
        if valid[k] {
            out[base + k] = out[source]
            source -= 1
        } else {
            out[base + k] = placeholder
        }
        k -= 1
    }
    return base + slots
}

/// Fixed-width values (INT32, INT64, FLOAT, DOUBLE) written straight into
/// the result array.
struct FixedWidthSink<T: BitwiseCopyable>: ValueSink {
    let out: UnsafeMutablePointer<T>
    let capacity: Int
    let zero: T
    var count = 0
    var dictionary: [T] = []
    var hasDictionary = false

    mutating func appendPlain(_ data: UnsafeRawBufferPointer, count n: Int) throws -> Int {
        guard n <= capacity - count else { throw overflowError(capacity) }
        let size = MemoryLayout<T>.size
        let (bytes, overflow) = n.multipliedReportingOverflow(by: size)
        guard !overflow, bytes <= data.count else {
            throw ParquetError("the page holds \(data.count) bytes of values, \(n) values of \(size) bytes need \(n * size)")
        }
        if n > 0 { UnsafeMutableRawPointer(out + count).copyMemory(from: data.baseAddress!, byteCount: bytes) }
        count += n
        return bytes
    }

    mutating func setDictionary(_ data: UnsafeRawBufferPointer, count n: Int) throws {
        let size = MemoryLayout<T>.size
        guard n <= data.count / size else {
            throw ParquetError("the dictionary page holds \(data.count) bytes, \(n) values need \(n * size)")
        }
        dictionary = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: data.baseAddress!, byteCount: n * size) }
            initialized = n
        }
        hasDictionary = true
    }

    mutating func clearDictionary() {
        dictionary = []
        hasDictionary = false
    }

    mutating func appendDictionary(_ indices: UnsafePointer<UInt32>, count n: Int) throws {
        guard n <= capacity - count else { throw overflowError(capacity) }
        try lookUp(indices, count: n, in: dictionary, into: out + count)
        count += n
    }

    mutating func appendBits(_ bits: UnsafePointer<UInt8>, count n: Int) throws {
        throw ParquetError("RLE-encoded values are only valid for BOOLEAN columns")
    }

    mutating func spread(present: Int, valid: UnsafePointer<Bool>, slots: Int) throws {
        count = try spreadValues(out, count: count, present: present, valid: valid, slots: slots,
                                 placeholder: zero, capacity: capacity)
    }
}

/// BOOLEAN values: PLAIN is bit-packed LSB first; data pages v2 may use RLE.
struct BooleanSink: ValueSink {
    let out: UnsafeMutablePointer<Bool>
    let capacity: Int
    var count = 0
    var dictionary: [Bool] = []
    var hasDictionary = false

    mutating func appendPlain(_ data: UnsafeRawBufferPointer, count n: Int) throws -> Int {
        guard n <= capacity - count else { throw overflowError(capacity) }
        let bytes = (n + 7) / 8
        guard bytes <= data.count else { throw ParquetError("the page holds \(data.count) bytes, \(n) booleans need \(bytes)") }
        for i in 0..<n { out[count + i] = (data[i >> 3] >> UInt8(i & 7)) & 1 == 1 }
        count += n
        return bytes
    }

    mutating func setDictionary(_ data: UnsafeRawBufferPointer, count n: Int) throws {
        guard (n + 7) / 8 <= data.count else { throw ParquetError("the dictionary page is too short for \(n) booleans") }
        dictionary = (0..<n).map { (data[$0 >> 3] >> UInt8($0 & 7)) & 1 == 1 }
        hasDictionary = true
    }

    mutating func clearDictionary() {
        dictionary = []
        hasDictionary = false
    }

    mutating func appendDictionary(_ indices: UnsafePointer<UInt32>, count n: Int) throws {
        guard n <= capacity - count else { throw overflowError(capacity) }
        try lookUp(indices, count: n, in: dictionary, into: out + count)
        count += n
    }

    mutating func appendBits(_ bits: UnsafePointer<UInt8>, count n: Int) throws {
        guard n <= capacity - count else { throw overflowError(capacity) }
        for i in 0..<n { out[count + i] = bits[i] != 0 }
        count += n
    }

    mutating func spread(present: Int, valid: UnsafePointer<Bool>, slots: Int) throws {
        count = try spreadValues(out, count: count, present: present, valid: valid, slots: slots,
                                 placeholder: false, capacity: capacity)
    }
}

/// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY values, packed back to back; `ends`
/// has one entry per slot (the start of slot 0 is 0).
struct ByteArraySink: ValueSink {
    var bytes: [UInt8] = []
    let ends: UnsafeMutablePointer<Int>
    let capacity: Int
    let fixedLength: Int?
    let maxBytes: Int
    var count = 0
    var dictionary = ParquetByteArrays()
    var hasDictionary = false

    private func end(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

    private mutating func append(_ data: UnsafeRawBufferPointer, at offset: Int, length: Int) throws {
        guard length <= maxBytes - bytes.count else {
            throw ParquetError("the column's byte-array values exceed the reader's limit of \(maxBytes) bytes")
        }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[offset..<(offset + length)]))
        ends[count] = bytes.count
        count += 1
    }

    mutating func appendPlain(_ data: UnsafeRawBufferPointer, count n: Int) throws -> Int {
        guard n <= capacity - count else { throw overflowError(capacity) }
        var p = 0
        for _ in 0..<n {
            let length: Int
            if let fixedLength {
                length = fixedLength
            } else {
                guard data.count - p >= 4 else { throw ParquetError("a byte-array value's length runs past the end of the page") }
                length = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
            }
            guard length <= data.count - p else {
                throw ParquetError("a byte-array value of \(length) bytes runs past the end of the page")
            }
            try append(data, at: p, length: length)
            p += length
        }
        return p
    }

    mutating func setDictionary(_ data: UnsafeRawBufferPointer, count n: Int) throws {
        // Every value takes at least its 4-byte length (or its fixed length).
        guard n <= data.count / max(fixedLength ?? 4, 1) else {
            throw ParquetError("the dictionary page of \(data.count) bytes cannot hold \(n) values")
        }
        var p = 0
        var d = ParquetByteArrays()
        d.offsets.reserveCapacity(n + 1)
        for _ in 0..<n {
            let length: Int
            if let fixedLength {
                length = fixedLength
            } else {
                guard data.count - p >= 4 else { throw ParquetError("a dictionary value's length runs past the end of the page") }
                length = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
            }
            guard length <= data.count - p else { throw ParquetError("a dictionary value runs past the end of the page") }
            d.append(UnsafeRawBufferPointer(rebasing: data[p..<(p + length)]))
            p += length
        }
        dictionary = d
        hasDictionary = true
    }

    mutating func clearDictionary() {
        dictionary = ParquetByteArrays()
        hasDictionary = false
    }

    mutating func appendDictionary(_ indices: UnsafePointer<UInt32>, count n: Int) throws {
        guard n <= capacity - count else { throw overflowError(capacity) }
        let entries = dictionary.count
        for i in 0..<n {
            let k = Int(indices[i])
            guard k < entries else {
                throw ParquetError("dictionary index \(k) is out of range (the dictionary holds \(entries) values)")
            }
            let start = dictionary.offsets[k], stop = dictionary.offsets[k + 1]
            guard stop - start <= maxBytes - bytes.count else {
                throw ParquetError("the column's byte-array values exceed the reader's limit of \(maxBytes) bytes")
            }
            bytes.append(contentsOf: dictionary.bytes[start..<stop])
            ends[count] = bytes.count
            count += 1
        }
    }

    mutating func appendBits(_ bits: UnsafePointer<UInt8>, count n: Int) throws {
        throw ParquetError("RLE-encoded values are only valid for BOOLEAN columns")
    }

    mutating func spread(present: Int, valid: UnsafePointer<Bool>, slots: Int) throws {
        let base = count - present
        guard slots <= capacity - base else { throw overflowError(capacity) }
        // Slot k ends where the last value at or before it ends (nulls are empty).
        var c = present
        var k = slots
        while k >= 1 {
            ends[base + k - 1] = end(base + c)
            if valid[k - 1] { c -= 1 }
            k -= 1
        }
        count = base + slots
    }
}

/// Decodes the column chunks of one leaf column, page by page.
struct ColumnChunkDecoder {
    let file: FileBytes
    let path: String
    let leaf: ParquetLeafColumn
    let options: ParquetReadOptions
    /// Where the footer starts: no column chunk may reach into it.
    let dataEnd: Int

    /// Reads the chunks into one column.
    func decode(_ chunks: [ChunkToDecode]) throws -> ParquetColumn {
        var totalValues = 0
        var totalRows = 0
        for c in chunks {
            let n = c.metadata.numValues
            guard n >= 0, n <= Int64(options.maxValuesPerColumnChunk) else {
                throw ParquetError(rowGroup: c.rowGroup, column: leaf.name,
                                   message: "the column chunk declares \(n) values, outside the reader's limit of \(options.maxValuesPerColumnChunk)")
            }
            totalValues += Int(n)
            totalRows += c.rows
            guard totalValues <= options.maxValuesPerColumnChunk else {
                throw ParquetError(column: leaf.name, message: "the row groups read hold more than \(options.maxValuesPerColumnChunk) values")
            }
        }
        var levels = try LevelAssembler(leaf: leaf, rowLimit: totalRows)
        let capacity = max(totalValues, 1)
        let values: ParquetValues
        switch leaf.physicalType {
        case .boolean:
            values = .boolean(try [Bool](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                var sink = BooleanSink(out: buffer.baseAddress!, capacity: totalValues)
                defer { initialized = sink.count }
                try decodeChunks(chunks, into: &sink, levels: &levels)
            })
        case .int32: values = .int32(try fixed(Int32.self, 0, chunks, totalValues, &levels))
        case .int64: values = .int64(try fixed(Int64.self, 0, chunks, totalValues, &levels))
        case .float: values = .float(try fixed(Float.self, 0, chunks, totalValues, &levels))
        case .double: values = .double(try fixed(Double.self, 0, chunks, totalValues, &levels))
        case .byteArray, .fixedLenByteArray:
            var bytes: [UInt8] = []
            let ends = try [Int](unsafeUninitializedCapacity: capacity + 1) { buffer, initialized in
                buffer[0] = 0
                var sink = ByteArraySink(ends: buffer.baseAddress! + 1, capacity: totalValues,
                                         fixedLength: leaf.physicalType == .fixedLenByteArray ? leaf.typeLength : nil,
                                         maxBytes: options.maxByteArrayBytes)
                defer {
                    initialized = sink.count + 1
                    bytes = sink.bytes
                }
                try decodeChunks(chunks, into: &sink, levels: &levels)
            }
            values = .bytes(ParquetByteArrays(bytes: bytes, offsets: ends), isText: leaf.isText)
        default:
            throw ParquetError(column: leaf.name, message: "unsupported physical type \(leaf.physicalType)")
        }
        levels.finish()
        return ParquetColumn(name: leaf.name, values: values, validity: levels.rowValidity,
                             offsets: leaf.isList ? levels.offsets : nil, elementValidity: levels.elementValidity)
    }

    private func fixed<T: BitwiseCopyable>(_ type: T.Type, _ zero: T, _ chunks: [ChunkToDecode], _ total: Int,
                                           _ levels: inout LevelAssembler) throws -> [T] {
        try [T](unsafeUninitializedCapacity: max(total, 1)) { buffer, initialized in
            var sink = FixedWidthSink<T>(out: buffer.baseAddress!, capacity: total, zero: zero)
            defer { initialized = sink.count }
            try decodeChunks(chunks, into: &sink, levels: &levels)
        }
    }

    private func decodeChunks<S: ValueSink>(_ chunks: [ChunkToDecode], into sink: inout S,
                                            levels: inout LevelAssembler) throws {
        let scratch = PageScratch(count: 5)
        for c in chunks {
            // A fresh sink dictionary per chunk: dictionaries do not carry over.
            sink.clearDictionary()
            let rowsBefore = levels.rowCount
            let range = try chunkRange(c)
            if options.releaseDecodedChunks { file.willNeed(range) }
            try decodeChunk(c, range: range, into: &sink, levels: &levels, scratch: scratch)
            let rows = levels.rowCount - rowsBefore
            guard rows == c.rows else {
                throw ParquetError(rowGroup: c.rowGroup, column: leaf.name,
                                   message: "the column chunk holds \(rows) rows but the row group declares \(c.rows)")
            }
            if options.releaseDecodedChunks { file.release(range) }
        }
    }

    private func decodeChunk<S: ValueSink>(_ c: ChunkToDecode, range: Range<Int>, into sink: inout S,
                                           levels: inout LevelAssembler, scratch: PageScratch) throws {
        let bytes = file.bytes
        let chunkBytes = UnsafeRawBufferPointer(rebasing: bytes[0..<range.upperBound])
        let declared = Int(c.metadata.numValues)
        let codec = c.metadata.codec
        var position = range.lowerBound
        var page = 0
        var seen = 0
        var sawDataPage = false
        while seen < declared {
            do {
                guard position < range.upperBound else {
                    throw ParquetError("the column chunk ends after \(seen) of its \(declared) values")
                }
                var reader = ThriftCompactReader(chunkBytes, at: position)
                let header = try ParquetPageHeader.decode(&reader)
                let bodyStart = reader.position
                let compressedSize = Int(header.compressedSize)
                let uncompressedSize = Int(header.uncompressedSize)
                guard compressedSize >= 0, uncompressedSize >= 0 else {
                    throw ParquetError("the page header gives a negative size")
                }
                guard compressedSize <= range.upperBound - bodyStart else {
                    throw ParquetError("the page header claims \(compressedSize) bytes but only \(range.upperBound - bodyStart) are left in the column chunk")
                }
                guard compressedSize <= options.maxPageBytes, uncompressedSize <= options.maxPageBytes else {
                    throw ParquetError("the page of \(max(compressedSize, uncompressedSize)) bytes exceeds the reader's limit of \(options.maxPageBytes)")
                }
                let body = UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<(bodyStart + compressedSize)])
                if let crc = header.crc, options.verifyChecksums {
                    let actual = body.isEmpty ? 0 : UInt32(crc32(0, body.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(body.count)))
                    guard actual == UInt32(bitPattern: crc) else {
                        throw ParquetError("page checksum mismatch (CRC32 \(actual), header says \(UInt32(bitPattern: crc)))")
                    }
                }
                switch header.type {
                case .dictionaryPage:
                    guard let h = header.dictionaryPage else { throw ParquetError("DICTIONARY_PAGE without its dictionary page header") }
                    guard !sawDataPage else { throw ParquetError("a dictionary page after data pages") }
                    guard !sink.hasDictionary else { throw ParquetError("a second dictionary page") }
                    guard h.encoding == .plain || h.encoding == .plainDictionary else {
                        throw ParquetError("unsupported dictionary page encoding \(h.encoding)")
                    }
                    guard h.numValues >= 0 else { throw ParquetError("negative dictionary size") }
                    let data = try decompress(codec, body, size: uncompressedSize, scratch: scratch)
                    try sink.setDictionary(data, count: Int(h.numValues))
                case .dataPage:
                    guard let h = header.dataPage else { throw ParquetError("DATA_PAGE without its data page header") }
                    sawDataPage = true
                    let n = try pageValueCount(h.numValues, seen: seen, declared: declared)
                    let data = try decompress(codec, body, size: uncompressedSize, scratch: scratch)
                    var offset = 0
                    let rep = try levelsV1(data, &offset, count: n, maxLevel: leaf.maxRepetitionLevel,
                                           encoding: h.repetitionLevelEncoding, slot: PageScratch.repetition, scratch: scratch)
                    let def = try levelsV1(data, &offset, count: n, maxLevel: leaf.maxDefinitionLevel,
                                           encoding: h.definitionLevelEncoding, slot: PageScratch.definition, scratch: scratch)
                    let valuesData = UnsafeRawBufferPointer(rebasing: data[offset...])
                    try decodePage(count: n, rep: rep.levels, def: def.levels, present: def.present ?? n,
                                   encoding: h.encoding, values: valuesData, firstOfChunk: seen == 0,
                                   sink: &sink, levels: &levels, scratch: scratch)
                    seen += n
                case .dataPageV2:
                    guard let h = header.dataPageV2 else { throw ParquetError("DATA_PAGE_V2 without its data page header") }
                    sawDataPage = true
                    let n = try pageValueCount(h.numValues, seen: seen, declared: declared)
                    let repLength = Int(h.repetitionLevelsByteLength), defLength = Int(h.definitionLevelsByteLength)
                    guard repLength >= 0, defLength >= 0, repLength <= body.count, defLength <= body.count - repLength else {
                        throw ParquetError("level lengths \(repLength) + \(defLength) do not fit the page's \(body.count) bytes")
                    }
                    let rep = try levelsV2(UnsafeRawBufferPointer(rebasing: body[..<repLength]), count: n,
                                           maxLevel: leaf.maxRepetitionLevel, slot: PageScratch.repetition, scratch: scratch)
                    let def = try levelsV2(UnsafeRawBufferPointer(rebasing: body[repLength..<(repLength + defLength)]), count: n,
                                           maxLevel: leaf.maxDefinitionLevel, slot: PageScratch.definition, scratch: scratch)
                    let stored = UnsafeRawBufferPointer(rebasing: body[(repLength + defLength)...])
                    let valuesSize = uncompressedSize - repLength - defLength
                    guard valuesSize >= 0 else { throw ParquetError("the page's uncompressed size is smaller than its levels") }
                    let valuesData = h.isCompressed ? try decompress(codec, stored, size: valuesSize, scratch: scratch)
                                                    : stored
                    let present = def.present ?? n
                    guard Int(h.numNulls) == n - present else {
                        throw ParquetError("the page header counts \(h.numNulls) nulls but the levels hold \(n - present)")
                    }
                    let rowsBefore = levels.rowCount
                    try decodePage(count: n, rep: rep.levels, def: def.levels, present: present,
                                   encoding: h.encoding, values: valuesData, firstOfChunk: seen == 0,
                                   sink: &sink, levels: &levels, scratch: scratch)
                    guard levels.rowCount - rowsBefore == Int(h.numRows) else {
                        throw ParquetError("the page header counts \(h.numRows) rows but the levels start \(levels.rowCount - rowsBefore)")
                    }
                    seen += n
                default:
                    break  // index pages and unknown page types carry no values
                }
                position = bodyStart + compressedSize
                page += 1
            } catch let e as ParquetError {
                throw e.located(file: path, rowGroup: c.rowGroup, column: leaf.name, page: page)
            }
        }
    }

    /// Values of one data page, then the page's rows.
    private func decodePage<S: ValueSink>(count n: Int, rep: UnsafePointer<UInt8>?, def: UnsafePointer<UInt8>?, present: Int,
                                          encoding: ParquetEncoding, values data: UnsafeRawBufferPointer, firstOfChunk: Bool,
                                          sink: inout S, levels: inout LevelAssembler, scratch: PageScratch) throws {
        switch encoding {
        case .plain:
            _ = try sink.appendPlain(data, count: present)
        case .plainDictionary, .rleDictionary:
            guard sink.hasDictionary else { throw ParquetError("a dictionary-encoded page without a dictionary page") }
            if present > 0 {
                guard data.count >= 1 else { throw ParquetError("the page ends before its dictionary indices") }
                let indices = scratch.buffer(PageScratch.indices, bytes: present * 4).assumingMemoryBound(to: UInt32.self)
                var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: Int(data[0]))
                try decoder.decodeIndices(into: indices, count: present)
                try sink.appendDictionary(indices, count: present)
            }
        case .rle:
            guard leaf.physicalType == .boolean else {
                throw ParquetError("RLE-encoded values are only valid for BOOLEAN columns")
            }
            guard data.count >= 4 else { throw ParquetError("the page ends before its RLE length") }
            let length = Int(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            guard length <= data.count - 4 else { throw ParquetError("RLE data of \(length) bytes runs past the end of the page") }
            let bits = scratch.buffer(PageScratch.values, bytes: max(present, 1)).assumingMemoryBound(to: UInt8.self)
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: data[4..<(4 + length)]), bitWidth: 1)
            try decoder.decodeBytes(into: bits, count: present)
            try sink.appendBits(bits, count: present)
        default:
            throw ParquetError("unsupported encoding \(encoding) (qad reads PLAIN, dictionary and RLE pages)")
        }
        let slots = try levels.consume(count: n, repetition: rep, definition: def, present: present, firstOfChunk: firstOfChunk)
        if slots != present {
            guard slots > present, levels.pageSlotValid.count == slots,
                  levels.pageSlotValid.reduce(0, { $0 + ($1 ? 1 : 0) }) == present else {
                throw ParquetError("the levels place \(slots) slots but the page holds \(present) values")
            }
            try levels.pageSlotValid.withUnsafeBufferPointer { valid in
                try sink.spread(present: present, valid: valid.baseAddress!, slots: slots)
            }
        }
    }
}
