import Foundation
import QADCore

/// One cross-matched external catalog: where it came from, how it was
/// matched, and the columns its matches keep.
public struct CrossmatchCatalogRecord: Sendable, Equatable {
    /// The name given with --name (e.g. "allwise"); matches are stored per name.
    public var name: String
    public var path: String
    public var raColumn: String
    public var decColumn: String
    /// The catalog's id column as it spells it ("ROW" when sources are named by row).
    public var idColumn: String
    public var radiusArcsec: Double
    public var preset: String?
    public var sourcesRead: Int
    public var targets: Int
    public var matchedTargets: Int
    public var pairs: Int
    /// The kept and derived columns, in the order of each match's `values`.
    public var columns: [KeptColumn]
    public var matchedAt: Double

    public init(name: String, path: String, raColumn: String, decColumn: String, idColumn: String, radiusArcsec: Double,
                preset: String?, sourcesRead: Int, targets: Int, matchedTargets: Int, pairs: Int, columns: [KeptColumn],
                matchedAt: Double) {
        self.name = name
        self.path = path
        self.raColumn = raColumn
        self.decColumn = decColumn
        self.idColumn = idColumn
        self.radiusArcsec = radiusArcsec
        self.preset = preset
        self.sourcesRead = sourcesRead
        self.targets = targets
        self.matchedTargets = matchedTargets
        self.pairs = pairs
        self.columns = columns
        self.matchedAt = matchedAt
    }

    /// The catalog record and one match per target of a cross-match.
    public static func records(name: String, preset: String?, result: CrossmatchResult, targets: SkyTargets,
                               at date: Date = Date()) -> (CrossmatchCatalogRecord, [CrossmatchMatchRecord]) {
        let catalog = CrossmatchCatalogRecord(
            name: name, path: result.catalogPath, raColumn: result.raColumn, decColumn: result.decColumn,
            idColumn: result.idColumn, radiusArcsec: result.radiusArcsec, preset: preset,
            sourcesRead: result.sourcesRead, targets: targets.count, matchedTargets: result.matchedTargets,
            pairs: result.pairs, columns: result.keptColumns, matchedAt: date.timeIntervalSince1970)
        let matches = zip(targets.ids, result.matches).map { id, m in
            CrossmatchMatchRecord(catalog: name, targetid: id, nearestId: m.nearestID, sepArcsec: m.nearestSeparationArcsec,
                                  nWithin: m.countWithin, values: m.values, densityDeg2: m.densityPerDeg2,
                                  densityAreaDeg2: m.densityAreaDeg2, chanceMatches: m.chanceMatches)
        }
        return (catalog, matches)
    }
}

extension CrossmatchCatalogRecord: StoredRecord {
    public static let table = StoredTable<CrossmatchCatalogRecord>(
        "crossmatch_catalog", createdBy: SchemaHistory.crossmatch,
        columns: [
            .text("name", \.name), .text("path", \.path), .text("ra_column", \.raColumn),
            .text("dec_column", \.decColumn), .text("id_column", \.idColumn), .double("radius_arcsec", \.radiusArcsec),
            .text("preset", \.preset), .int("sources_read", \.sourcesRead), .int("targets", \.targets),
            .int("matched_targets", \.matchedTargets), .int("pairs", \.pairs),
            // JSON array of {name, kind, unit, description}.
            .init("columns_json", .text, encode: { .text(KeptColumn.storedText($0.columns)) },
                  decode: { r, v throws(StoredValueError) in r.columns = try KeptColumn.parse(try v.string()) }),
            .double("matched_at", \.matchedAt),
        ],
        primaryKey: ["name"])

    public static var blank: CrossmatchCatalogRecord {
        CrossmatchCatalogRecord(name: "", path: "", raColumn: "", decColumn: "", idColumn: "", radiusArcsec: 0,
                                preset: nil, sourcesRead: 0, targets: 0, matchedTargets: 0, pairs: 0, columns: [],
                                matchedAt: 0)
    }
}

/// One target's match against one catalog (a row for every target, matched or not).
public struct CrossmatchMatchRecord: Sendable, Equatable {
    public var catalog: String
    public var targetid: TargetID
    /// Id of the nearest source within the radius, as text (integers exact); nil without a match.
    public var nearestId: String?
    public var sepArcsec: Double?
    /// Sources within the radius.
    public var nWithin: Int
    /// The nearest source's kept and derived values, in the catalog record's
    /// column order; nil without a match. Read back from a store, int64
    /// values come as their exact text: `typedValues(_:)` types them by the
    /// catalog's columns.
    public var values: [CatalogValue]?
    /// Catalog sources per deg² around the target, its counterparts excluded.
    public var densityDeg2: Double
    /// Area the density was counted over (deg²).
    public var densityAreaDeg2: Double
    /// Expected unrelated sources within the radius: density × π r².
    public var chanceMatches: Double

    public init(catalog: String, targetid: TargetID, nearestId: String?, sepArcsec: Double?, nWithin: Int,
                values: [CatalogValue]?, densityDeg2: Double, densityAreaDeg2: Double, chanceMatches: Double) {
        self.catalog = catalog
        self.targetid = targetid
        self.nearestId = nearestId
        self.sepArcsec = sepArcsec
        self.nWithin = nWithin
        self.values = values
        self.densityDeg2 = densityDeg2
        self.densityAreaDeg2 = densityAreaDeg2
        self.chanceMatches = chanceMatches
    }

    /// The values typed by the catalog's kept columns; a value that does not
    /// fit its column fails naming the target and the column.
    public func typedValues(_ columns: [KeptColumn]) throws -> [CatalogValue]? {
        guard let values else { return nil }
        guard values.count == columns.count else {
            throw LocatedError(part: "table crossmatch_match", column: "values_json", rowKey: "catalog=\(catalog), targetid=\(targetid)",
                               message: "\(values.count) values for the catalog's \(columns.count) kept columns")
        }
        return try zip(values, columns).map { value, column in
            guard let typed = value.typed(as: column.kind) else {
                throw LocatedError(part: "table crossmatch_match", column: "values_json",
                                   rowKey: "catalog=\(catalog), targetid=\(targetid)",
                                   message: "kept column \(column.name) (\(column.kind.rawValue)) holds \(value)")
            }
            return typed
        }
    }
}

extension CrossmatchMatchRecord: StoredRecord {
    public static let table = StoredTable<CrossmatchMatchRecord>(
        "crossmatch_match", createdBy: SchemaHistory.crossmatch,
        columns: [
            .text("catalog", \.catalog), .int64("targetid", \.targetid), .text("nearest_id", \.nearestId),
            .double("sep_arcsec", \.sepArcsec), .int("n_within", \.nWithin),
            .init("values_json", .text, nullable: true,
                  encode: { $0.values.map { .text(CatalogValue.storedText($0)) } ?? .null },
                  decode: { r, v throws(StoredValueError) in
                      r.values = v == .null ? nil : try CatalogValue.parseStored(try v.string())
                  }),
            .double("density_deg2", \.densityDeg2), .double("density_area_deg2", \.densityAreaDeg2),
            .double("chance_matches", \.chanceMatches),
        ],
        primaryKey: ["catalog", "targetid"],
        references: [StoredReference("catalog", to: "crossmatch_catalog", cascade: true)])

    public static var blank: CrossmatchMatchRecord {
        CrossmatchMatchRecord(catalog: "", targetid: 0, nearestId: nil, sepArcsec: nil, nWithin: 0, values: nil,
                              densityDeg2: 0, densityAreaDeg2: 0, chanceMatches: 0)
    }
}

extension KeptColumn {
    static func storedText(_ columns: [KeptColumn]) -> String {
        String(decoding: (try? JSONEncoder().encode(columns)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func parse(_ text: String) throws(StoredValueError) -> [KeptColumn] {
        do {
            return try JSONDecoder().decode([KeptColumn].self, from: Data(text.utf8))
        } catch {
            throw StoredValueError("not a JSON array of kept columns: \(text.prefix(80))")
        }
    }
}

extension CatalogValue {
    /// Values as stored: a JSON array with numbers as JSON numbers (shortest
    /// round-trip text, so doubles come back bit for bit), int64 as strings
    /// (JSON readers often go through Double), NaN as null.
    public static func storedText(_ values: [CatalogValue]) -> String {
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

    /// Stored values before typing: numbers as float64, strings as string
    /// (int64 values among them), booleans, nulls. Anything but a JSON array
    /// of such scalars fails.
    static func parseStored(_ text: String) throws(StoredValueError) -> [CatalogValue] {
        var scanner = JSONScalarArrayScanner(Array(text.utf8))
        guard let values = scanner.parse() else { throw StoredValueError("not a JSON array of values: \(text.prefix(80))") }
        return values
    }

    /// The value as a column of `kind` holds it, or nil when it cannot be one.
    func typed(as kind: CatalogValueKind) -> CatalogValue? {
        switch (kind, self) {
        case (_, .null): return .null
        case (.float64, .float64): return self
        case (.float64, .int64(let i)): return .float64(Double(i))
        case (.float64, .string(let s)): return Double(s).map { .float64($0) }
        case (.int64, .int64): return self
        case (.int64, .string(let s)): return Int64(s).map { .int64($0) }
        case (.int64, .float64(let d)) where d == d.rounded() && abs(d) < 9e15: return .int64(Int64(d))
        case (.string, .string): return self
        case (.bool, .bool): return self
        case (.bool, .float64(let d)) where d == 0 || d == 1: return .bool(d == 1)
        default: return nil
        }
    }
}

/// Reads a JSON array of scalars (numbers, strings, true/false, null), the
/// form kept values are stored in; nil for anything else.
struct JSONScalarArrayScanner {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parse() -> [CatalogValue]? {
        skipSpace()
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [CatalogValue] = []
        skipSpace()
        if take(UInt8(ascii: "]")) { return end() ? out : nil }
        while true {
            skipSpace()
            guard let v = value() else { return nil }
            out.append(v)
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "]")) else { return nil }
            return end() ? out : nil
        }
    }

    private mutating func end() -> Bool {
        skipSpace()
        return i == bytes.count
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func take(_ b: UInt8) -> Bool {
        guard i < bytes.count, bytes[i] == b else { return false }
        i += 1
        return true
    }

    private mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard bytes.count - i >= w.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
        i += w.count
        return true
    }

    private mutating func value() -> CatalogValue? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default:
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            return Double(String(decoding: bytes[start..<i], as: UTF8.self)).map { .float64($0) }
        }
    }

    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard i < bytes.count else { return nil }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard bytes.count - i >= 4, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
                else { return nil }
                i += 4
                var scalarValue = code
                if (0xD800..<0xDC00).contains(code) {  // a surrogate pair
                    guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                          let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16) else { return nil }
                    i += 6
                    scalarValue = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                out += Array(String(Character(scalar)).utf8)
            default: out.append(e)  // \" \\ \/
            }
        }
        return nil
    }
}
