/// Columns from Swift optionals, for writers of catalogs with missing
/// values (nil becomes a null; its slot holds a placeholder).
extension ParquetColumn {
    public static func nullable(_ name: String, _ values: [Double?]) -> ParquetColumn {
        build(name, values, placeholder: 0) { .double($0) }
    }

    public static func nullable(_ name: String, _ values: [Float?]) -> ParquetColumn {
        build(name, values, placeholder: 0) { .float($0) }
    }

    public static func nullable(_ name: String, _ values: [Int64?]) -> ParquetColumn {
        build(name, values, placeholder: 0) { .int64($0) }
    }

    public static func nullable(_ name: String, _ values: [Int32?]) -> ParquetColumn {
        build(name, values, placeholder: 0) { .int32($0) }
    }

    public static func nullable(_ name: String, _ values: [Bool?]) -> ParquetColumn {
        build(name, values, placeholder: false) { .boolean($0) }
    }

    public static func nullable(_ name: String, _ values: [String?]) -> ParquetColumn {
        build(name, values, placeholder: "") { .strings($0) }
    }

    /// A list column from one array per row (nil for a null list).
    public static func list<T>(_ name: String, _ rows: [[T]?], _ wrap: ([T]) -> ParquetValues) -> ParquetColumn {
        var flat: [T] = []
        var offsets = [0]
        offsets.reserveCapacity(rows.count + 1)
        for r in rows {
            flat += r ?? []
            offsets.append(flat.count)
        }
        let validity = rows.contains { $0 == nil } ? rows.map { $0 != nil } : nil
        return ParquetColumn(name: name, values: wrap(flat), validity: validity, offsets: offsets)
    }

    private static func build<T>(_ name: String, _ values: [T?], placeholder: T,
                                 _ wrap: ([T]) -> ParquetValues) -> ParquetColumn {
        let validity = values.contains { $0 == nil } ? values.map { $0 != nil } : nil
        return ParquetColumn(name: name, values: wrap(values.map { $0 ?? placeholder }), validity: validity)
    }
}
