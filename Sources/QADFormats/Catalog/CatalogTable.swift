import Foundation
import QADCore

/// Value types of an exported catalog column.
public enum CatalogColumnType: String, Sendable, CaseIterable {
    case int64, int32, float64, float32, string, bool
}

/// The values of one column, nil for a null. How each format writes a null:
/// FITS — NaN for floats, TNULLn (the type's minimum) for integers, an
/// undefined logical, an empty string; CSV — an empty field; Parquet — a null;
/// VOTable — NaN, the VALUES null sentinel, an empty cell.
public enum CatalogColumnValues: Sendable, Equatable {
    case int64([Int64?])
    case int32([Int32?])
    case float64([Double?])
    case float32([Float?])
    case string([String?])
    case bool([Bool?])

    public var type: CatalogColumnType {
        switch self {
        case .int64: .int64
        case .int32: .int32
        case .float64: .float64
        case .float32: .float32
        case .string: .string
        case .bool: .bool
        }
    }

    public var count: Int {
        switch self {
        case .int64(let v): v.count
        case .int32(let v): v.count
        case .float64(let v): v.count
        case .float32(let v): v.count
        case .string(let v): v.count
        case .bool(let v): v.count
        }
    }

    public func isNull(_ row: Int) -> Bool {
        switch self {
        case .int64(let v): v[row] == nil
        case .int32(let v): v[row] == nil
        case .float64(let v): v[row] == nil
        case .float32(let v): v[row] == nil
        case .string(let v): v[row] == nil
        case .bool(let v): v[row] == nil
        }
    }
}

/// One column of an exported catalog with the metadata every format carries.
public struct CatalogTableColumn: Sendable, Equatable {
    /// Column name (FITS TTYPE; keep it ≤ 68 ASCII characters).
    public var name: String
    public var values: CatalogColumnValues
    /// Unit in the FITS/VOUnit spelling ("deg", "arcsec", "mag", "erg/s/cm2").
    public var unit: String?
    public var description: String?
    /// Fortran-style display format (FITS TDISP): "I20", "F10.6", "E15.7", "A20", "L1".
    public var displayFormat: String?
    /// IVOA UCD for the VOTable FIELD ("meta.id;meta.main", "pos.eq.ra;meta.main").
    public var ucd: String?

    public init(name: String, values: CatalogColumnValues, unit: String? = nil, description: String? = nil,
                displayFormat: String? = nil, ucd: String? = nil) {
        self.name = name
        self.values = values
        self.unit = unit
        self.description = description
        self.displayFormat = displayFormat
        self.ucd = ucd
    }

    public var type: CatalogColumnType { values.type }
}

/// A provenance entry: a FITS header keyword (≤ 8 characters, A–Z 0–9 - _),
/// a Parquet key-value pair, a VOTable INFO.
public struct CatalogProvenance: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String), int(Int64), double(Double), bool(Bool)

        public var text: String {
            switch self {
            case .string(let s): s
            case .int(let i): String(i)
            case .double(let d): "\(d)"
            case .bool(let b): b ? "T" : "F"
            }
        }
    }

    public var key: String
    public var value: Value
    public var comment: String?

    public init(_ key: String, _ value: Value, comment: String? = nil) {
        self.key = key
        self.value = value
        self.comment = comment
    }
}

/// A column-oriented table for export: every column has `rowCount` values.
public struct CatalogTable: Sendable, Equatable {
    /// Table name (FITS EXTNAME, VOTable TABLE name).
    public var name: String
    public var description: String?
    public var columns: [CatalogTableColumn]
    public var provenance: [CatalogProvenance]

    public init(name: String, description: String? = nil, columns: [CatalogTableColumn] = [],
                provenance: [CatalogProvenance] = []) {
        self.name = name
        self.description = description
        self.columns = columns
        self.provenance = provenance
    }

    public var rowCount: Int { columns.first?.values.count ?? 0 }

    /// Checks what every writer relies on: equal column lengths, unique
    /// non-empty names, FITS-legal provenance keys.
    public func validate(file: String) throws(LocatedError) {
        var names = Set<String>()
        for c in columns {
            guard !c.name.isEmpty, c.name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw LocatedError(file: file, column: c.name, message: "column names must be non-empty ASCII without blanks")
            }
            guard names.insert(c.name.uppercased()).inserted else {
                throw LocatedError(file: file, column: c.name, message: "column name repeated (names are compared case-insensitively)")
            }
            guard c.values.count == rowCount else {
                throw LocatedError(file: file, column: c.name, message: "\(c.values.count) values, the table has \(rowCount) rows")
            }
        }
        for p in provenance {
            guard (1...8).contains(p.key.count),
                  p.key.allSatisfy({ ($0.isASCII && ($0.isUppercase || $0.isNumber)) || $0 == "-" || $0 == "_" }) else {
                throw LocatedError(file: file, message: "provenance key '\(p.key)' must be 1–8 characters A–Z, 0–9, - or _ (a FITS keyword)")
            }
        }
    }
}


/// The export formats and their writers.
public enum CatalogFormat: String, Sendable, CaseIterable {
    case fits, csv, parquet, votable

    public func write(_ table: CatalogTable, to path: String) throws {
        switch self {
        case .fits: try FITSCatalogWriter.write(table, to: path)
        case .csv: try CSVCatalogWriter.write(table, to: path)
        case .parquet: try ParquetCatalogWriter.write(table, to: path)
        case .votable: try VOTableWriter.write(table, to: path)
        }
    }
}

/// Writes `bytes` to `path` through a temporary file renamed into place, so a
/// reader never sees half a catalog.
func writeAtomically(_ bytes: [UInt8], to path: String) throws(LocatedError) {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw LocatedError(file: path, message: "cannot write: \(error)")
    }
}
