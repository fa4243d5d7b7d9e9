/// Variable-length values (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY) stored back to
/// back: value `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
public struct ParquetByteArrays: Sendable, Equatable {
    public var bytes: [UInt8]
    public var offsets: [Int]

    public init() {
        bytes = []
        offsets = [0]
    }

    public init(bytes: [UInt8], offsets: [Int]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    public init(_ strings: [String]) {
        self.init()
        offsets.reserveCapacity(strings.count + 1)
        for s in strings { append(Array(s.utf8)) }
    }

    public init(_ values: [[UInt8]]) {
        self.init()
        offsets.reserveCapacity(values.count + 1)
        for v in values { append(v) }
    }

    public var count: Int { offsets.count - 1 }

    public subscript(i: Int) -> ArraySlice<UInt8> { bytes[offsets[i]..<offsets[i + 1]] }

    public func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }

    public var strings: [String] { (0..<count).map(string) }

    public mutating func append<C: Collection<UInt8>>(_ value: C) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }
}

/// The values of a column, one slot per row (flat columns) or per list
/// element (list columns); null slots hold 0, false or an empty value.
public enum ParquetValues: Sendable, Equatable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY values; `isText` for UTF-8 strings.
    case bytes(ParquetByteArrays, isText: Bool)

    public var count: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float(let v): v.count
        case .double(let v): v.count
        case .bytes(let v, _): v.count
        }
    }

    public static func strings(_ values: [String]) -> ParquetValues { .bytes(ParquetByteArrays(values), isText: true) }
    public static func binary(_ values: [[UInt8]]) -> ParquetValues { .bytes(ParquetByteArrays(values), isText: false) }
}

/// One column read from, or to be written to, a Parquet file, laid out like
/// an Arrow array: dense value slots, optional validity, and for list
/// columns the offsets of each row's elements.
public struct ParquetColumn: Sendable, Equatable {
    public var name: String
    public var values: ParquetValues
    /// Per row: false where the row (or, for list columns, the list) is null.
    /// nil when no row is null.
    public var validity: [Bool]?
    /// List columns: row `i` holds value slots `offsets[i]..<offsets[i + 1]`
    /// (`rowCount + 1` entries). nil for flat columns.
    public var offsets: [Int]?
    /// List columns: per value slot, false where the element is null. nil
    /// when no element is null.
    public var elementValidity: [Bool]?

    public init(name: String, values: ParquetValues, validity: [Bool]? = nil, offsets: [Int]? = nil,
                elementValidity: [Bool]? = nil) {
        self.name = name
        self.values = values
        self.validity = validity
        self.offsets = offsets
        self.elementValidity = elementValidity
    }

    public var isList: Bool { offsets != nil }
    public var rowCount: Int { offsets.map { max($0.count - 1, 0) } ?? values.count }

    public func isNull(row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    /// The value slots of a list row.
    public func elements(ofRow row: Int) -> Range<Int> {
        guard let offsets else { return row..<(row + 1) }
        return offsets[row]..<offsets[row + 1]
    }

    // Typed views: nil when the column holds another type.
    public var booleans: [Bool]? { if case .boolean(let v) = values { v } else { nil } }
    public var int32s: [Int32]? { if case .int32(let v) = values { v } else { nil } }
    public var int64s: [Int64]? { if case .int64(let v) = values { v } else { nil } }
    public var floats: [Float]? { if case .float(let v) = values { v } else { nil } }
    public var doubles: [Double]? { if case .double(let v) = values { v } else { nil } }
    public var byteArrays: ParquetByteArrays? { if case .bytes(let v, _) = values { v } else { nil } }
    public var strings: [String]? { if case .bytes(let v, _) = values { v.strings } else { nil } }
}

/// Columns read from a file (or some of its row groups).
public struct ParquetTable: Sendable {
    public var rowCount: Int
    public var columns: [ParquetColumn]

    public init(rowCount: Int, columns: [ParquetColumn]) {
        self.rowCount = rowCount
        self.columns = columns
    }

    public subscript(name: String) -> ParquetColumn? { columns.first { $0.name == name } }
}
