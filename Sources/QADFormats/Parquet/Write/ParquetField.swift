/// The value types qad writes, each with its Parquet physical type and
/// annotation (strings are UTF-8 BYTE_ARRAY annotated STRING).
public enum ParquetValueType: Sendable, Equatable {
    case boolean, int32, int64, float, double, string, binary

    var physicalType: ParquetPhysicalType {
        switch self {
        case .boolean: .boolean
        case .int32: .int32
        case .int64: .int64
        case .float: .float
        case .double: .double
        case .string, .binary: .byteArray
        }
    }

    func matches(_ values: ParquetValues) -> Bool {
        switch (self, values) {
        case (.boolean, .boolean), (.int32, .int32), (.int64, .int64), (.float, .float), (.double, .double): true
        case (.string, .bytes), (.binary, .bytes): true
        default: false
        }
    }
}

/// A column of the file being written: a flat value or a list of values,
/// either of which may be declared nullable.
public struct ParquetField: Sendable, Equatable {
    public var name: String
    public var type: ParquetValueType
    /// The value (for lists: the list itself) may be null.
    public var nullable: Bool
    public var isList: Bool
    /// List elements may be null.
    public var elementNullable: Bool

    public init(name: String, type: ParquetValueType, nullable: Bool = true, isList: Bool = false,
                elementNullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.isList = isList
        self.elementNullable = elementNullable
    }

    public static func column(_ name: String, _ type: ParquetValueType, nullable: Bool = true) -> ParquetField {
        ParquetField(name: name, type: type, nullable: nullable)
    }

    /// A list column, written in the standard 3-level layout
    /// (`<name> (LIST) { repeated group list { element } }`) that pyarrow,
    /// DuckDB and Spark read as list<type>.
    public static func list(_ name: String, of type: ParquetValueType, nullable: Bool = true,
                            elementNullable: Bool = true) -> ParquetField {
        ParquetField(name: name, type: type, nullable: nullable, isList: true, elementNullable: elementNullable)
    }

    var maxDefinitionLevel: Int { (nullable ? 1 : 0) + (isList ? 1 + (elementNullable ? 1 : 0) : 0) }
    var maxRepetitionLevel: Int { isList ? 1 : 0 }
    var leafPath: [String] { isList ? [name, "list", "element"] : [name] }

    /// The schema elements of this field, depth first.
    var schemaElements: [ParquetSchemaElement] {
        let text = type == .string
        let leafRepetition: ParquetRepetition = (isList ? elementNullable : nullable) ? .optional : .required
        let leaf = ParquetSchemaElement(name: isList ? "element" : name, type: type.physicalType,
                                        repetition: leafRepetition, convertedType: text ? .utf8 : nil,
                                        logicalType: text ? .string : nil)
        guard isList else { return [leaf] }
        return [
            ParquetSchemaElement(name: name, repetition: nullable ? .optional : .required, numChildren: 1,
                                 convertedType: .list, logicalType: .list),
            ParquetSchemaElement(name: "list", repetition: .repeated, numChildren: 1),
            leaf,
        ]
    }
}

public enum ParquetDataPageVersion: Sendable, Equatable {
    case v1, v2
}

public struct ParquetWriteOptions: Sendable {
    public var compression: ParquetCompression = .snappy
    public var dataPageVersion: ParquetDataPageVersion = .v1
    /// A page is closed once its values and levels reach this many bytes
    /// (before compression); pages always end at a row boundary.
    public var pageSizeLimit = 1 << 20
    /// Rows per row group when a whole table is written with `write(_:)`.
    public var rowGroupRows = 1 << 20
    /// Chunk statistics: min, max and null count.
    public var writeStatistics = true
    /// CRC32 of every page, checked by readers that verify checksums.
    public var writePageChecksums = true
    public var keyValueMetadata: [(key: String, value: String)] = []
    public var createdBy = "qad parquet writer"

    public init(compression: ParquetCompression = .snappy, dataPageVersion: ParquetDataPageVersion = .v1,
                pageSizeLimit: Int = 1 << 20, rowGroupRows: Int = 1 << 20) {
        self.compression = compression
        self.dataPageVersion = dataPageVersion
        self.pageSizeLimit = pageSizeLimit
        self.rowGroupRows = rowGroupRows
    }
}
