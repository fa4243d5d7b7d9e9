import Foundation
import QADCore
import QADStore

/// Converts between a `CrossmatchResult` and the store's crossmatch records.
/// Kept values travel as a JSON array in the catalog's column order: numbers
/// as JSON numbers (shortest round-trip text, so doubles come back bit for
/// bit), int64 as strings (JSON readers often go through Double), NaN as null.
public enum StoredCrossmatch {
    public static func records(name: String, preset: String?, result: CrossmatchResult, targets: SkyTargets,
                               at date: Date = Date()) throws -> (CrossmatchCatalogRecord, [CrossmatchMatchRecord]) {
        let columnsJson = String(decoding: try JSONEncoder().encode(result.keptColumns), as: UTF8.self)
        let catalog = CrossmatchCatalogRecord(
            name: name, path: result.catalogPath, raColumn: result.raColumn, decColumn: result.decColumn,
            idColumn: result.idColumn, radiusArcsec: result.radiusArcsec, preset: preset,
            sourcesRead: result.sourcesRead, targets: targets.count, matchedTargets: result.matchedTargets,
            pairs: result.pairs, columnsJson: columnsJson, matchedAt: date.timeIntervalSince1970)
        let matches = zip(targets.ids, result.matches).map { id, m in
            CrossmatchMatchRecord(catalog: name, targetid: id, nearestId: m.nearestID, sepArcsec: m.nearestSeparationArcsec,
                                  nWithin: m.countWithin, valuesJson: m.values.map(encode),
                                  densityDeg2: m.densityPerDeg2, densityAreaDeg2: m.densityAreaDeg2,
                                  chanceMatches: m.chanceMatches)
        }
        return (catalog, matches)
    }

    public static func columns(of catalog: CrossmatchCatalogRecord) throws -> [KeptColumn] {
        try JSONDecoder().decode([KeptColumn].self, from: Data(catalog.columnsJson.utf8))
    }

    public static func encode(_ values: [CatalogValue]) -> String {
        "[" + values.map { v -> String in
            switch v {
            case .float64(let d): return d.isFinite ? "\(d)" : "null"
            case .int64(let i): return "\"\(i)\""
            case .string(let s): return jsonStringLiteral(s)
            case .bool(let b): return b ? "true" : "false"
            case .null: return "null"
            }
        }.joined(separator: ",") + "]"
    }

    /// The values of a match, typed by the catalog's columns.
    public static func decode(_ json: String, columns: [KeptColumn]) throws -> [CatalogValue] {
        guard let array = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? [Any],
              array.count == columns.count else {
            throw CrossmatchError(file: "store", column: "values_json", message: "not an array of \(columns.count) values: \(json.prefix(80))")
        }
        return zip(array, columns).map { raw, column -> CatalogValue in
            if raw is NSNull { return .null }
            switch column.kind {
            case .float64:
                if let n = raw as? NSNumber { return .float64(n.doubleValue) }
                if let s = raw as? String, let d = Double(s) { return .float64(d) }
            case .int64:
                if let s = raw as? String, let i = Int64(s) { return .int64(i) }
                if let n = raw as? NSNumber { return .int64(n.int64Value) }
            case .string:
                if let s = raw as? String { return .string(s) }
            case .bool:
                if let b = raw as? Bool { return .bool(b) }
                if let n = raw as? NSNumber { return .bool(n.boolValue) }
            }
            return .null
        }
    }
}
