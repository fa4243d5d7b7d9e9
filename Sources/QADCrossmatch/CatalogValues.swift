import QADCore

/// Value types an external catalog column is read as.
public enum CatalogValueKind: String, Codable, Sendable {
    case float64, int64, string, bool
}

/// One value of an external catalog (a kept column of a match).
public enum CatalogValue: Sendable, Equatable {
    case float64(Double)
    case int64(Int64)
    case string(String)
    case bool(Bool)
    case null

    public var double: Double? {
        switch self {
        case .float64(let v): v.isNaN ? nil : v
        case .int64(let v): Double(v)
        default: nil
        }
    }

    /// The value as text for CSV and ids: integers exact, doubles shortest round-trip.
    public var text: String {
        switch self {
        case .float64(let v): v.isNaN ? "" : "\(v)"
        case .int64(let v): String(v)
        case .string(let v): v
        case .bool(let v): v ? "true" : "false"
        case .null: ""
        }
    }
}

/// The values of one column for a stretch of rows; `valid` is nil when none is null.
public struct CatalogColumnChunk: Sendable {
    public enum Values: Sendable {
        case float64([Double])
        case int64([Int64])
        case string([String])
        case bool([Bool])
    }

    public var values: Values
    public var valid: [Bool]?

    public init(_ values: Values, valid: [Bool]? = nil) {
        self.values = values
        self.valid = valid
    }

    public var count: Int {
        switch values {
        case .float64(let v): v.count
        case .int64(let v): v.count
        case .string(let v): v.count
        case .bool(let v): v.count
        }
    }

    public subscript(row: Int) -> CatalogValue {
        if let valid, !valid[row] { return .null }
        switch values {
        case .float64(let v): return v[row].isNaN ? .null : .float64(v[row])
        case .int64(let v): return .int64(v[row])
        case .string(let v): return .string(v[row])
        case .bool(let v): return .bool(v[row])
        }
    }
}

/// A stretch of rows of an external catalog: rows firstRow ..< firstRow + count.
public struct CatalogChunk: Sendable {
    public var firstRow: Int
    public var count: Int
    /// Keyed by the column name as the file spells it.
    public var columns: [String: CatalogColumnChunk]
    /// For CSV, the line each row starts on (for messages); nil otherwise.
    public var lines: [Int]?

    public init(firstRow: Int, count: Int, columns: [String: CatalogColumnChunk], lines: [Int]? = nil) {
        self.firstRow = firstRow
        self.count = count
        self.columns = columns
        self.lines = lines
    }
}
