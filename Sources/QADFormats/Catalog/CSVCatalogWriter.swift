/// Writes a catalog as RFC 4180 CSV: a header of column names, integers exact
/// (TARGETID never goes through a Double), floats in the shortest text that
/// reads back to the same value, booleans as true/false, nulls as empty fields.
public enum CSVCatalogWriter {
    public static func write(_ table: CatalogTable, to path: String) throws {
        try table.validate(file: path)
        var out: [UInt8] = []
        out.reserveCapacity(table.rowCount * table.columns.count * 12)
        out += table.columns.map { quoted($0.name) }.joined(separator: ",").utf8
        out += "\r\n".utf8
        for row in 0..<table.rowCount {
            for (i, c) in table.columns.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += cell(c.values, row).utf8
            }
            out += "\r\n".utf8
        }
        try writeAtomically(out, to: path)
    }

    static func cell(_ values: CatalogColumnValues, _ row: Int) -> String {
        switch values {
        case .int64(let v): v[row].map { String($0) } ?? ""
        case .int32(let v): v[row].map { String($0) } ?? ""
        case .float64(let v): v[row].map(floatText) ?? ""
        case .float32(let v): v[row].map(floatText) ?? ""
        case .string(let v): v[row].map(quoted) ?? ""
        case .bool(let v): v[row].map { $0 ? "true" : "false" } ?? ""
        }
    }

    /// NaN and infinities in the spellings Python's float() and NumPy read.
    static func floatText<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return v.description
    }

    static func quoted(_ s: String) -> String { CSVField.quoted(s, markEmpty: true) }
}
