import Foundation
import QADCore

/// Writes a catalog as one Parquet file (qad's writer, zstd): every column
/// nullable, types int64/int32/double/float/string/boolean; provenance as
/// key-value metadata (`KEY` → value) and the column metadata (unit,
/// description, ucd) as JSON under `qad.columns`.
public enum ParquetCatalogWriter {
    public static func write(_ table: CatalogTable, to path: String) throws {
        try table.validate(file: path)
        var fields: [ParquetField] = []
        var columns: [ParquetColumn] = []
        for c in table.columns {
            switch c.values {
            case .int64(let v): fields.append(.column(c.name, .int64)); columns.append(.nullable(c.name, v))
            case .int32(let v): fields.append(.column(c.name, .int32)); columns.append(.nullable(c.name, v))
            case .float64(let v): fields.append(.column(c.name, .double)); columns.append(.nullable(c.name, v))
            case .float32(let v): fields.append(.column(c.name, .float)); columns.append(.nullable(c.name, v))
            case .string(let v): fields.append(.column(c.name, .string)); columns.append(.nullable(c.name, v))
            case .bool(let v): fields.append(.column(c.name, .boolean)); columns.append(.nullable(c.name, v))
            }
        }
        var options = ParquetWriteOptions(compression: .zstd())
        options.keyValueMetadata = table.provenance.map { ($0.key, $0.value.text) }
        options.keyValueMetadata.append(("qad.columns", columnMetadataJSON(table)))
        if let d = table.description { options.keyValueMetadata.append(("qad.description", d)) }
        options.createdBy = "qad catalog export"
        do {
            try ParquetWriter.write(path: path, fields: fields, columns: columns, options: options)
        } catch {
            throw LocatedError(file: path, message: "\(error)")
        }
    }

    static func columnMetadataJSON(_ table: CatalogTable) -> String {
        let entries = table.columns.map { c -> [String: String] in
            var e = ["name": c.name, "type": c.type.rawValue]
            if let u = c.unit { e["unit"] = u }
            if let d = c.description { e["description"] = d }
            if let u = c.ucd { e["ucd"] = u }
            return e
        }
        let data = (try? JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
