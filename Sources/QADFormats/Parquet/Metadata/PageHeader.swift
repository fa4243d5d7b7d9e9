/// A page header (PageHeader in parquet.thrift) with its type-specific part.
struct ParquetPageHeader: Sendable, Equatable {
    var type: ParquetPageType
    var uncompressedSize: Int32
    var compressedSize: Int32
    var crc: Int32?
    var dataPage: DataPageHeader?
    var dictionaryPage: DictionaryPageHeader?
    var dataPageV2: DataPageHeaderV2?

    struct DataPageHeader: Sendable, Equatable {
        var numValues: Int32
        var encoding: ParquetEncoding
        var definitionLevelEncoding: ParquetEncoding
        var repetitionLevelEncoding: ParquetEncoding
    }

    struct DictionaryPageHeader: Sendable, Equatable {
        var numValues: Int32
        var encoding: ParquetEncoding
    }

    struct DataPageHeaderV2: Sendable, Equatable {
        var numValues: Int32
        var numNulls: Int32
        var numRows: Int32
        var encoding: ParquetEncoding
        var definitionLevelsByteLength: Int32
        var repetitionLevelsByteLength: Int32
        var isCompressed: Bool
    }
}

extension ParquetPageHeader {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetPageHeader {
        var type: ParquetPageType?, uncompressed: Int32?, compressed: Int32?, crc: Int32?
        var v1: DataPageHeader?, dict: DictionaryPageHeader?, v2: DataPageHeaderV2?
        try r.readStruct { r, id, t throws(ParquetError) in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): type = ParquetPageType(rawValue: try r.readI32())
            case (2, ThriftType.i32.rawValue): uncompressed = try r.readI32()
            case (3, ThriftType.i32.rawValue): compressed = try r.readI32()
            case (4, ThriftType.i32.rawValue): crc = try r.readI32()
            case (5, ThriftType.structure.rawValue):
                var n: Int32?, e: Int32?, d: Int32?, rl: Int32?
                try r.readStruct { r, id, t throws(ParquetError) in
                    switch (id, t) {
                    case (1, ThriftType.i32.rawValue): n = try r.readI32()
                    case (2, ThriftType.i32.rawValue): e = try r.readI32()
                    case (3, ThriftType.i32.rawValue): d = try r.readI32()
                    case (4, ThriftType.i32.rawValue): rl = try r.readI32()
                    default: try r.skip(t)
                    }
                }
                guard let n, let e, let d, let rl else { throw ParquetError("DataPageHeader lacks a required field") }
                v1 = DataPageHeader(numValues: n, encoding: ParquetEncoding(rawValue: e),
                                    definitionLevelEncoding: ParquetEncoding(rawValue: d),
                                    repetitionLevelEncoding: ParquetEncoding(rawValue: rl))
            case (7, ThriftType.structure.rawValue):
                var n: Int32?, e: Int32?
                try r.readStruct { r, id, t throws(ParquetError) in
                    switch (id, t) {
                    case (1, ThriftType.i32.rawValue): n = try r.readI32()
                    case (2, ThriftType.i32.rawValue): e = try r.readI32()
                    default: try r.skip(t)
                    }
                }
                guard let n, let e else { throw ParquetError("DictionaryPageHeader lacks a required field") }
                dict = DictionaryPageHeader(numValues: n, encoding: ParquetEncoding(rawValue: e))
            case (8, ThriftType.structure.rawValue):
                var n: Int32?, nulls: Int32?, rows: Int32?, e: Int32?, dl: Int32?, rl: Int32?
                var compressedFlag = true
                try r.readStruct { r, id, t throws(ParquetError) in
                    switch (id, t) {
                    case (1, ThriftType.i32.rawValue): n = try r.readI32()
                    case (2, ThriftType.i32.rawValue): nulls = try r.readI32()
                    case (3, ThriftType.i32.rawValue): rows = try r.readI32()
                    case (4, ThriftType.i32.rawValue): e = try r.readI32()
                    case (5, ThriftType.i32.rawValue): dl = try r.readI32()
                    case (6, ThriftType.i32.rawValue): rl = try r.readI32()
                    case (7, ThriftType.boolTrue.rawValue), (7, ThriftType.boolFalse.rawValue):
                        compressedFlag = try r.boolValue(fieldType: t)
                    default: try r.skip(t)
                    }
                }
                guard let n, let nulls, let rows, let e, let dl, let rl else {
                    throw ParquetError("DataPageHeaderV2 lacks a required field")
                }
                v2 = DataPageHeaderV2(numValues: n, numNulls: nulls, numRows: rows, encoding: ParquetEncoding(rawValue: e),
                                      definitionLevelsByteLength: dl, repetitionLevelsByteLength: rl,
                                      isCompressed: compressedFlag)
            default: try r.skip(t)
            }
        }
        guard let type, let uncompressed, let compressed else { throw ParquetError("PageHeader lacks a required field") }
        return ParquetPageHeader(type: type, uncompressedSize: uncompressed, compressedSize: compressed, crc: crc,
                                 dataPage: v1, dictionaryPage: dict, dataPageV2: v2)
    }

    func encode() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, i32: type.rawValue)
            w.field(2, i32: uncompressedSize)
            w.field(3, i32: compressedSize)
            if let crc { w.field(4, i32: crc) }
            if let h = dataPage {
                w.field(5, struct: { w in
                    w.field(1, i32: h.numValues)
                    w.field(2, i32: h.encoding.rawValue)
                    w.field(3, i32: h.definitionLevelEncoding.rawValue)
                    w.field(4, i32: h.repetitionLevelEncoding.rawValue)
                })
            }
            if let h = dictionaryPage {
                w.field(7, struct: { w in
                    w.field(1, i32: h.numValues)
                    w.field(2, i32: h.encoding.rawValue)
                })
            }
            if let h = dataPageV2 {
                w.field(8, struct: { w in
                    w.field(1, i32: h.numValues)
                    w.field(2, i32: h.numNulls)
                    w.field(3, i32: h.numRows)
                    w.field(4, i32: h.encoding.rawValue)
                    w.field(5, i32: h.definitionLevelsByteLength)
                    w.field(6, i32: h.repetitionLevelsByteLength)
                    w.field(7, bool: h.isCompressed)
                })
            }
        }
        return w.bytes
    }
}
