/// The Parquet footer (FileMetaData in parquet.thrift), with the fields qad
/// reads and writes. Unknown fields are skipped on read.

/// One node of the flattened schema (depth-first; the first is the root).
public struct ParquetSchemaElement: Sendable, Equatable {
    public var name: String
    public var type: ParquetPhysicalType?
    public var typeLength: Int32?
    public var repetition: ParquetRepetition?
    public var numChildren: Int32?
    public var convertedType: ParquetConvertedType?
    public var logicalType: ParquetLogicalType?

    public init(name: String, type: ParquetPhysicalType? = nil, typeLength: Int32? = nil,
                repetition: ParquetRepetition? = nil, numChildren: Int32? = nil,
                convertedType: ParquetConvertedType? = nil, logicalType: ParquetLogicalType? = nil) {
        self.name = name
        self.type = type
        self.typeLength = typeLength
        self.repetition = repetition
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.logicalType = logicalType
    }
}

/// Column-chunk statistics. `minValue`/`maxValue` are PLAIN-encoded values
/// (raw bytes for BYTE_ARRAY); the deprecated `min`/`max` are kept as read.
public struct ParquetStatistics: Sendable, Equatable {
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var minValue: [UInt8]?
    public var maxValue: [UInt8]?
    public var legacyMin: [UInt8]?
    public var legacyMax: [UInt8]?

    public init(nullCount: Int64? = nil, distinctCount: Int64? = nil, minValue: [UInt8]? = nil, maxValue: [UInt8]? = nil) {
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.minValue = minValue
        self.maxValue = maxValue
    }
}

public struct ParquetColumnMetadata: Sendable, Equatable {
    public var type: ParquetPhysicalType
    public var encodings: [ParquetEncoding]
    public var pathInSchema: [String]
    public var codec: ParquetCompressionCodec
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var dataPageOffset: Int64
    public var dictionaryPageOffset: Int64?
    public var statistics: ParquetStatistics?
}

public struct ParquetColumnChunk: Sendable, Equatable {
    public var filePath: String?
    public var fileOffset: Int64
    public var metadata: ParquetColumnMetadata?
}

public struct ParquetRowGroup: Sendable, Equatable {
    public var columns: [ParquetColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
}

public struct ParquetFileMetadata: Sendable, Equatable {
    public var version: Int32
    public var schema: [ParquetSchemaElement]
    public var numRows: Int64
    public var rowGroups: [ParquetRowGroup]
    public var keyValueMetadata: [(key: String, value: String?)]
    public var createdBy: String?
    /// Number of ColumnOrder entries (TypeDefinedOrder for each leaf when set).
    public var columnOrderCount: Int

    public static func == (a: Self, b: Self) -> Bool {
        a.version == b.version && a.schema == b.schema && a.numRows == b.numRows && a.rowGroups == b.rowGroups
            && a.keyValueMetadata.map(\.key) == b.keyValueMetadata.map(\.key)
            && a.keyValueMetadata.map(\.value) == b.keyValueMetadata.map(\.value)
            && a.createdBy == b.createdBy && a.columnOrderCount == b.columnOrderCount
    }
}

// MARK: - Decoding

/// Reads one required field, or fails naming the struct and field.
private func require<T>(_ value: T?, _ structName: String, _ field: String) throws(ParquetError) -> T {
    guard let value else { throw ParquetError("\(structName) lacks its required field \(field)") }
    return value
}

private typealias Reader = ThriftCompactReader

extension ParquetFileMetadata {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetFileMetadata {
        var version: Int32?, numRows: Int64?
        var schema: [ParquetSchemaElement]?
        var rowGroups: [ParquetRowGroup]?
        var keyValues: [(key: String, value: String?)] = []
        var createdBy: String?
        var columnOrders = 0
        try r.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, ThriftType.i32.rawValue): version = try r.readI32()
            case (2, ThriftType.list.rawValue):
                var list: [ParquetSchemaElement] = []
                try r.readList { r, t throws(ParquetError) in
                    guard t == ThriftType.structure.rawValue else { throw ParquetError("schema list holds type \(t), not structs") }
                    list.append(try ParquetSchemaElement.decode(&r))
                }
                schema = list
            case (3, ThriftType.i64.rawValue): numRows = try r.readI64()
            case (4, ThriftType.list.rawValue):
                var list: [ParquetRowGroup] = []
                try r.readList { r, t throws(ParquetError) in
                    guard t == ThriftType.structure.rawValue else { throw ParquetError("row group list holds type \(t), not structs") }
                    list.append(try ParquetRowGroup.decode(&r))
                }
                rowGroups = list
            case (5, ThriftType.list.rawValue):
                try r.readList { r, t throws(ParquetError) in
                    guard t == ThriftType.structure.rawValue else { try r.skip(t); return }
                    var key: String?, value: String?
                    try r.readStruct { r, id, type throws(ParquetError) in
                        switch (id, type) {
                        case (1, ThriftType.binary.rawValue): key = try r.readString()
                        case (2, ThriftType.binary.rawValue): value = try r.readString()
                        default: try r.skip(type)
                        }
                    }
                    keyValues.append((try require(key, "KeyValue", "key"), value))
                }
            case (6, ThriftType.binary.rawValue): createdBy = try r.readString()
            case (7, ThriftType.list.rawValue):
                try r.readList { r, t throws(ParquetError) in
                    try r.skip(t)
                    columnOrders += 1
                }
            default: try r.skip(type)
            }
        }
        return ParquetFileMetadata(version: try require(version, "FileMetaData", "version"),
                                   schema: try require(schema, "FileMetaData", "schema"),
                                   numRows: try require(numRows, "FileMetaData", "num_rows"),
                                   rowGroups: try require(rowGroups, "FileMetaData", "row_groups"),
                                   keyValueMetadata: keyValues, createdBy: createdBy, columnOrderCount: columnOrders)
    }
}

extension ParquetSchemaElement {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetSchemaElement {
        var e = ParquetSchemaElement(name: "")
        var name: String?
        try r.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, ThriftType.i32.rawValue): e.type = ParquetPhysicalType(rawValue: try r.readI32())
            case (2, ThriftType.i32.rawValue): e.typeLength = try r.readI32()
            case (3, ThriftType.i32.rawValue): e.repetition = ParquetRepetition(rawValue: try r.readI32())
            case (4, ThriftType.binary.rawValue): name = try r.readString()
            case (5, ThriftType.i32.rawValue): e.numChildren = try r.readI32()
            case (6, ThriftType.i32.rawValue): e.convertedType = ParquetConvertedType(rawValue: try r.readI32())
            case (10, ThriftType.structure.rawValue): e.logicalType = try decodeLogicalType(&r)
            default: try r.skip(type)
            }
        }
        e.name = try require(name, "SchemaElement", "name")
        return e
    }

    /// LogicalType is a union: exactly one field names the type.
    private static func decodeLogicalType(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetLogicalType? {
        var result: ParquetLogicalType?
        try r.readStruct { r, id, type throws(ParquetError) in
            guard type == ThriftType.structure.rawValue else { try r.skip(type); return }
            switch id {
            case 1: result = .string; try r.skip(type)
            case 2: result = .map; try r.skip(type)
            case 3: result = .list; try r.skip(type)
            case 4: result = .enumeration; try r.skip(type)
            case 12: result = .json; try r.skip(type)
            case 10:
                var width: Int8 = 0, signed = true
                try r.readStruct { r, id, type throws(ParquetError) in
                    switch (id, type) {
                    case (1, ThriftType.byte.rawValue): width = Int8(bitPattern: try r.readByte())
                    case (2, _) where type == ThriftType.boolTrue.rawValue || type == ThriftType.boolFalse.rawValue:
                        signed = try r.boolValue(fieldType: type)
                    default: try r.skip(type)
                    }
                }
                result = .integer(bitWidth: width, signed: signed)
            default: result = .other(id); try r.skip(type)
            }
        }
        return result
    }
}

extension ParquetStatistics {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetStatistics {
        var s = ParquetStatistics()
        try r.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, ThriftType.binary.rawValue): s.legacyMax = try r.readBinary()
            case (2, ThriftType.binary.rawValue): s.legacyMin = try r.readBinary()
            case (3, ThriftType.i64.rawValue): s.nullCount = try r.readI64()
            case (4, ThriftType.i64.rawValue): s.distinctCount = try r.readI64()
            case (5, ThriftType.binary.rawValue): s.maxValue = try r.readBinary()
            case (6, ThriftType.binary.rawValue): s.minValue = try r.readBinary()
            default: try r.skip(type)
            }
        }
        return s
    }
}

extension ParquetColumnMetadata {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetColumnMetadata {
        var type: ParquetPhysicalType?, codec: ParquetCompressionCodec?
        var encodings: [ParquetEncoding] = [], path: [String]?
        var numValues: Int64?, uncompressed: Int64?, compressed: Int64?, dataOffset: Int64?
        var dictionaryOffset: Int64?, statistics: ParquetStatistics?
        try r.readStruct { r, id, t throws(ParquetError) in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): type = ParquetPhysicalType(rawValue: try r.readI32())
            case (2, ThriftType.list.rawValue):
                try r.readList { r, et throws(ParquetError) in
                    guard et == ThriftType.i32.rawValue else { try r.skip(et); return }
                    encodings.append(ParquetEncoding(rawValue: try r.readI32()))
                }
            case (3, ThriftType.list.rawValue):
                var p: [String] = []
                try r.readList { r, et throws(ParquetError) in
                    guard et == ThriftType.binary.rawValue else { throw ParquetError("path_in_schema holds type \(et), not strings") }
                    p.append(try r.readString())
                }
                path = p
            case (4, ThriftType.i32.rawValue): codec = ParquetCompressionCodec(rawValue: try r.readI32())
            case (5, ThriftType.i64.rawValue): numValues = try r.readI64()
            case (6, ThriftType.i64.rawValue): uncompressed = try r.readI64()
            case (7, ThriftType.i64.rawValue): compressed = try r.readI64()
            case (9, ThriftType.i64.rawValue): dataOffset = try r.readI64()
            case (11, ThriftType.i64.rawValue): dictionaryOffset = try r.readI64()
            case (12, ThriftType.structure.rawValue): statistics = try ParquetStatistics.decode(&r)
            default: try r.skip(t)
            }
        }
        let name = "ColumnMetaData"
        return ParquetColumnMetadata(
            type: try require(type, name, "type"), encodings: encodings, pathInSchema: try require(path, name, "path_in_schema"),
            codec: try require(codec, name, "codec"), numValues: try require(numValues, name, "num_values"),
            totalUncompressedSize: try require(uncompressed, name, "total_uncompressed_size"),
            totalCompressedSize: try require(compressed, name, "total_compressed_size"),
            dataPageOffset: try require(dataOffset, name, "data_page_offset"), dictionaryPageOffset: dictionaryOffset,
            statistics: statistics)
    }
}

extension ParquetColumnChunk {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetColumnChunk {
        var path: String?, offset: Int64?, meta: ParquetColumnMetadata?
        try r.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, ThriftType.binary.rawValue): path = try r.readString()
            case (2, ThriftType.i64.rawValue): offset = try r.readI64()
            case (3, ThriftType.structure.rawValue): meta = try ParquetColumnMetadata.decode(&r)
            default: try r.skip(type)
            }
        }
        return ParquetColumnChunk(filePath: path, fileOffset: offset ?? 0, metadata: meta)
    }
}

extension ParquetRowGroup {
    static func decode(_ r: inout ThriftCompactReader) throws(ParquetError) -> ParquetRowGroup {
        var columns: [ParquetColumnChunk]?, totalBytes: Int64?, numRows: Int64?
        var fileOffset: Int64?, totalCompressed: Int64?, ordinal: Int16?
        try r.readStruct { r, id, type throws(ParquetError) in
            switch (id, type) {
            case (1, ThriftType.list.rawValue):
                var list: [ParquetColumnChunk] = []
                try r.readList { r, t throws(ParquetError) in
                    guard t == ThriftType.structure.rawValue else { throw ParquetError("column chunk list holds type \(t), not structs") }
                    list.append(try ParquetColumnChunk.decode(&r))
                }
                columns = list
            case (2, ThriftType.i64.rawValue): totalBytes = try r.readI64()
            case (3, ThriftType.i64.rawValue): numRows = try r.readI64()
            case (5, ThriftType.i64.rawValue): fileOffset = try r.readI64()
            case (6, ThriftType.i64.rawValue): totalCompressed = try r.readI64()
            case (7, ThriftType.i16.rawValue): ordinal = try r.readI16()
            default: try r.skip(type)
            }
        }
        return ParquetRowGroup(columns: try require(columns, "RowGroup", "columns"),
                               totalByteSize: totalBytes ?? 0, numRows: try require(numRows, "RowGroup", "num_rows"),
                               fileOffset: fileOffset, totalCompressedSize: totalCompressed, ordinal: ordinal)
    }
}

// MARK: - Encoding

extension ParquetFileMetadata {
    func encode() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, i32: version)
            w.field(2, listOf: .structure, count: schema.count) { w in
                for e in schema { w.writeStruct { e.encode(&$0) } }
            }
            w.field(3, i64: numRows)
            w.field(4, listOf: .structure, count: rowGroups.count) { w in
                for g in rowGroups { w.writeStruct { g.encode(&$0) } }
            }
            if !keyValueMetadata.isEmpty {
                w.field(5, listOf: .structure, count: keyValueMetadata.count) { w in
                    for kv in keyValueMetadata {
                        w.writeStruct { w in
                            w.field(1, string: kv.key)
                            if let v = kv.value { w.field(2, string: v) }
                        }
                    }
                }
            }
            if let createdBy { w.field(6, string: createdBy) }
            if columnOrderCount > 0 {
                // TypeDefinedOrder for every leaf: min/max use the type's natural order.
                w.field(7, listOf: .structure, count: columnOrderCount) { w in
                    for _ in 0..<columnOrderCount {
                        w.writeStruct { $0.field(1, struct: { _ in }) }
                    }
                }
            }
        }
        return w.bytes
    }
}

extension ParquetSchemaElement {
    func encode(_ w: inout ThriftCompactWriter) {
        if let type { w.field(1, i32: type.rawValue) }
        if let typeLength { w.field(2, i32: typeLength) }
        if let repetition { w.field(3, i32: repetition.rawValue) }
        w.field(4, string: name)
        if let numChildren { w.field(5, i32: numChildren) }
        if let convertedType { w.field(6, i32: convertedType.rawValue) }
        if let logicalType {
            let id: Int16? = switch logicalType {
            case .string: 1
            case .map: 2
            case .list: 3
            case .enumeration: 4
            case .json: 12
            case .integer, .other: nil
            }
            if let id { w.field(10, struct: { $0.field(id, struct: { _ in }) }) }
        }
    }
}

extension ParquetStatistics {
    func encode(_ w: inout ThriftCompactWriter) {
        if let nullCount { w.field(3, i64: nullCount) }
        if let distinctCount { w.field(4, i64: distinctCount) }
        if let maxValue { w.field(5, binary: maxValue) }
        if let minValue { w.field(6, binary: minValue) }
    }
}

extension ParquetRowGroup {
    func encode(_ w: inout ThriftCompactWriter) {
        w.field(1, listOf: .structure, count: columns.count) { w in
            for c in columns {
                w.writeStruct { w in
                    if let p = c.filePath { w.field(1, string: p) }
                    w.field(2, i64: c.fileOffset)
                    if let m = c.metadata { w.field(3, struct: { m.encode(&$0) }) }
                }
            }
        }
        w.field(2, i64: totalByteSize)
        w.field(3, i64: numRows)
        if let fileOffset { w.field(5, i64: fileOffset) }
        if let totalCompressedSize { w.field(6, i64: totalCompressedSize) }
        if let ordinal { w.field(7, i16: ordinal) }
    }
}

extension ParquetColumnMetadata {
    func encode(_ w: inout ThriftCompactWriter) {
        w.field(1, i32: type.rawValue)
        w.field(2, listOf: .i32, count: encodings.count) { w in
            for e in encodings { w.element(i32: e.rawValue) }
        }
        w.field(3, listOf: .binary, count: pathInSchema.count) { w in
            for p in pathInSchema { w.element(string: p) }
        }
        w.field(4, i32: codec.rawValue)
        w.field(5, i64: numValues)
        w.field(6, i64: totalUncompressedSize)
        w.field(7, i64: totalCompressedSize)
        w.field(9, i64: dataPageOffset)
        if let dictionaryPageOffset { w.field(11, i64: dictionaryPageOffset) }
        if let statistics { w.field(12, struct: { statistics.encode(&$0) }) }
    }
}
