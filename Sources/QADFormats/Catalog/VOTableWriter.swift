import Foundation

/// Writes a catalog as a VOTable 1.4 document (TABLEDATA serialization):
/// FIELDs with datatype (long for int64, so TARGETIDs stay exact), unit, ucd,
/// DESCRIPTION, a VALUES null sentinel for integer columns with nulls;
/// provenance as INFO elements. Every piece of text is XML-escaped; characters
/// XML 1.0 cannot hold become U+FFFD.
public enum VOTableWriter {
    /// VOTable 1.4 kept the 1.3 namespace.
    static let namespace = "http://www.ivoa.net/xml/VOTable/v1.3"

    public static func write(_ table: CatalogTable, to path: String) throws {
        try table.validate(file: path)
        var x = ""
        x.reserveCapacity(table.rowCount * table.columns.count * 16 + 4096)
        x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<VOTABLE version=\"1.4\" xmlns=\"\(namespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
        x += "<RESOURCE type=\"results\">\n"
        for p in table.provenance {
            x += "<INFO name=\"\(escape(p.key))\" value=\"\(escape(p.value.text))\""
            x += p.comment.map { ">\(escape($0))</INFO>\n" } ?? "/>\n"
        }
        x += "<TABLE name=\"\(escape(table.name))\" nrows=\"\(table.rowCount)\">\n"
        if let d = table.description { x += "<DESCRIPTION>\(escape(d))</DESCRIPTION>\n" }
        for c in table.columns { x += field(c) }
        x += "<DATA><TABLEDATA>\n"
        for row in 0..<table.rowCount {
            x += "<TR>"
            for c in table.columns { x += "<TD>" + cell(c.values, row) + "</TD>" }
            x += "</TR>\n"
        }
        x += "</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n"
        try writeAtomically(Array(x.utf8), to: path)
    }

    static func datatype(_ t: CatalogColumnType) -> String {
        switch t {
        case .int64: "long"
        case .int32: "int"
        case .float64: "double"
        case .float32: "float"
        case .string: "char"
        case .bool: "boolean"
        }
    }

    /// Sentinels for null integers (announced in VALUES).
    static let nullInt64 = Int64.min
    static let nullInt32 = Int32.min

    static func field(_ c: CatalogTableColumn) -> String {
        var f = "<FIELD name=\"\(escape(c.name))\" datatype=\"\(datatype(c.type))\""
        if c.type == .string { f += " arraysize=\"*\"" }
        if let u = c.unit, !u.isEmpty { f += " unit=\"\(escape(u))\"" }
        if let u = c.ucd { f += " ucd=\"\(escape(u))\"" }
        f += ">"
        if let d = c.description { f += "<DESCRIPTION>\(escape(d))</DESCRIPTION>" }
        switch c.values {
        case .int64(let v) where v.contains(nil): f += "<VALUES null=\"\(nullInt64)\"/>"
        case .int32(let v) where v.contains(nil): f += "<VALUES null=\"\(nullInt32)\"/>"
        default: break
        }
        return f + "</FIELD>\n"
    }

    static func cell(_ values: CatalogColumnValues, _ row: Int) -> String {
        switch values {
        case .int64(let v): String(v[row] ?? nullInt64)
        case .int32(let v): String(v[row] ?? nullInt32)
        case .float64(let v): v[row].map(floatText) ?? "NaN"
        case .float32(let v): v[row].map(floatText) ?? "NaN"
        case .string(let v): escape(v[row] ?? "")
        case .bool(let v): v[row].map { $0 ? "T" : "F" } ?? ""
        }
    }

    static func floatText<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        return v.description
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += "&#\(u.value);"
            default:
                let v = u.value
                let legal = (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000
                out.unicodeScalars.append(legal ? u : "\u{FFFD}")
            }
        }
        return out
    }
}
