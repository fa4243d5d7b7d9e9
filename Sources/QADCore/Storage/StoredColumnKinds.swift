import Foundation

/// Columns bound to a record field by key path: one line per column gives
/// its name, type, nullability and both directions of conversion.
extension StoredColumn {
    public typealias Field<Value> = WritableKeyPath<Record, Value> & Sendable

    public static func int64(_ name: String, _ field: Field<Int64>, addedBy: String? = nil,
                             defaultValue: Int64? = nil) -> Self {
        Self(name, .integer, addedBy: addedBy, defaultValue: defaultValue.map { .integer($0) },
             encode: { .integer($0[keyPath: field]) },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = try v.int64() })
    }

    public static func int64(_ name: String, _ field: Field<Int64?>, addedBy: String? = nil) -> Self {
        Self(name, .integer, nullable: true, addedBy: addedBy,
             encode: { $0[keyPath: field].map { .integer($0) } ?? .null },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = v == .null ? nil : try v.int64() })
    }

    public static func int(_ name: String, _ field: Field<Int>, addedBy: String? = nil) -> Self {
        Self(name, .integer, addedBy: addedBy,
             encode: { .integer(Int64($0[keyPath: field])) },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = Int(try v.int64()) })
    }

    public static func int(_ name: String, _ field: Field<Int?>, addedBy: String? = nil) -> Self {
        Self(name, .integer, nullable: true, addedBy: addedBy,
             encode: { $0[keyPath: field].map { .integer(Int64($0)) } ?? .null },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = v == .null ? nil : Int(try v.int64()) })
    }

    /// An auto-incremented id: the database assigns it on insert.
    public static func generatedID(_ name: String, _ field: Field<Int64?>) -> Self {
        Self(name, .integer, nullable: true, generated: true,
             encode: { $0[keyPath: field].map { .integer($0) } ?? .null },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = v == .null ? nil : try v.int64() })
    }

    public static func double(_ name: String, _ field: Field<Double>, addedBy: String? = nil,
                              defaultValue: Double? = nil) -> Self {
        Self(name, .real, addedBy: addedBy, defaultValue: defaultValue.map { .real($0) },
             encode: { .real($0[keyPath: field]) },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = try v.double() })
    }

    public static func double(_ name: String, _ field: Field<Double?>, addedBy: String? = nil) -> Self {
        Self(name, .real, nullable: true, addedBy: addedBy,
             encode: { $0[keyPath: field].map { .real($0) } ?? .null },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = v == .null ? nil : try v.double() })
    }

    public static func text(_ name: String, _ field: Field<String>, addedBy: String? = nil) -> Self {
        Self(name, .text, addedBy: addedBy,
             encode: { .text($0[keyPath: field]) },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = try v.string() })
    }

    public static func text(_ name: String, _ field: Field<String?>, addedBy: String? = nil) -> Self {
        Self(name, .text, nullable: true, addedBy: addedBy,
             encode: { $0[keyPath: field].map { .text($0) } ?? .null },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = v == .null ? nil : try v.string() })
    }

    public static func bool(_ name: String, _ field: Field<Bool>, addedBy: String? = nil) -> Self {
        Self(name, .boolean, addedBy: addedBy,
             encode: { .boolean($0[keyPath: field]) },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = try v.bool() })
    }

    /// An enumeration stored as its raw text; an unknown text fails loudly.
    public static func rawText<E: RawRepresentable & Sendable>(_ name: String, _ field: Field<E>) -> Self
    where E.RawValue == String {
        Self(name, .text,
             encode: { .text($0[keyPath: field].rawValue) },
             decode: { r, v throws(StoredValueError) in
                 let raw = try v.string()
                 guard let e = E(rawValue: raw) else { throw StoredValueError("unknown value '\(raw)'") }
                 r[keyPath: field] = e
             })
    }

    /// An enumeration stored as its raw integer; an unknown value fails loudly.
    public static func rawInt<E: RawRepresentable & Sendable>(_ name: String, _ field: Field<E>) -> Self
    where E.RawValue == Int {
        Self(name, .integer,
             encode: { .integer(Int64($0[keyPath: field].rawValue)) },
             decode: { r, v throws(StoredValueError) in
                 let raw = Int(try v.int64())
                 guard let e = E(rawValue: raw) else { throw StoredValueError("unknown value \(raw)") }
                 r[keyPath: field] = e
             })
    }

    /// A value stored as text in its own form (`StoredText`): JSON arrays of
    /// typed items, for instance. Text that does not parse fails loudly.
    public static func coded<V: StoredText>(_ name: String, _ field: Field<V>, addedBy: String? = nil) -> Self {
        Self(name, .text, addedBy: addedBy,
             encode: { .text($0[keyPath: field].storedText) },
             decode: { r, v throws(StoredValueError) in r[keyPath: field] = try V(storedText: try v.string()) })
    }

    public static func coded<V: StoredText>(_ name: String, _ field: Field<V?>, addedBy: String? = nil) -> Self {
        Self(name, .text, nullable: true, addedBy: addedBy,
             encode: { $0[keyPath: field].map { .text($0.storedText) } ?? .null },
             decode: { r, v throws(StoredValueError) in
                 r[keyPath: field] = v == .null ? nil : try V(storedText: try v.string())
             })
    }

    /// Bytes (BLOB / BYTEA).
    public static func bytes(_ name: String, _ field: Field<[UInt8]?>) -> Self {
        Self(name, .blob, nullable: true,
             encode: { $0[keyPath: field].map { .blob($0) } ?? .null },
             decode: { r, v throws(StoredValueError) in
                 switch v {
                 case .null: r[keyPath: field] = nil
                 case .blob(let b): r[keyPath: field] = b
                 default: throw StoredValueError("expected bytes, found \(v.text)")
                 }
             })
    }
}

/// A field type stored as one text column in a form of its own.
public protocol StoredText: Sendable {
    var storedText: String { get }
    init(storedText: String) throws(StoredValueError)
}

extension StoredValue {
    public func int64() throws(StoredValueError) -> Int64 {
        switch self {
        case .integer(let v): return v
        case .real(let d) where d == d.rounded() && abs(d) < 9.0e18: return Int64(d)
        case .boolean(let b): return b ? 1 : 0
        default: throw StoredValueError("expected an integer, found \(kindText)")
        }
    }

    public func double() throws(StoredValueError) -> Double {
        switch self {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: throw StoredValueError("expected a number, found \(kindText)")
        }
    }

    public func string() throws(StoredValueError) -> String {
        guard case .text(let s) = self else { throw StoredValueError("expected text, found \(kindText)") }
        return s
    }

    public func bool() throws(StoredValueError) -> Bool {
        switch self {
        case .boolean(let b): return b
        case .integer(let v) where v == 0 || v == 1: return v == 1
        default: throw StoredValueError("expected a boolean, found \(kindText)")
        }
    }

    var kindText: String {
        switch self {
        case .null: return "NULL"
        case .text(let s): return "text '\(s.prefix(60))'"
        default: return text
        }
    }
}

extension StoredColumn {
    /// `inner`'s column, reading and writing the field of a record nested at
    /// `path`: a table that holds another record's columns (an epoch holds a
    /// spectrum's) declares them once. The column belongs to the new table
    /// from its creation, so the step that added it to the inner table is dropped.
    public static func nested<Inner>(_ inner: StoredColumn<Inner>, at path: Field<Inner>) -> Self {
        Self(inner.name, inner.type, nullable: inner.shape.nullable, defaultValue: inner.shape.defaultValue,
             generated: inner.generated,
             encode: { inner.encode($0[keyPath: path]) },
             decode: { r, v throws(StoredValueError) in try inner.decode(&r[keyPath: path], v) })
    }
}
