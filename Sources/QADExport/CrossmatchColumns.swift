import QADCore
import QADCrossmatch
import QADFormats

/// The cross-match columns of every catalog in the store, prefixed by the
/// catalog's name (upper-cased): NAME_ID, NAME_SEP, NAME_N, NAME_CHANCE and
/// the kept and derived columns as NAME_COLUMN.
public struct CrossmatchColumns: ExportColumnProvider {
    let catalogs: [CrossmatchCatalogRecord]
    let matches: [String: [CrossmatchMatchRecord]]

    /// Every cross-matched catalog with its matches.
    public init(catalogs: [(catalog: CrossmatchCatalogRecord, matches: [CrossmatchMatchRecord])]) {
        self.catalogs = catalogs.map(\.catalog)
        matches = Dictionary(catalogs.map { ($0.catalog.name, $0.matches) }, uniquingKeysWith: { a, _ in a })
    }

    public func columns(for targets: [TargetID]) throws -> [CatalogTableColumn] {
        var out: [CatalogTableColumn] = []
        for catalog in catalogs {
            let prefix = catalog.name.uppercased() + "_"
            let kept = catalog.columns
            let byTarget = Dictionary((matches[catalog.name] ?? []).map { ($0.targetid, $0) },
                                      uniquingKeysWith: { a, _ in a })
            let rows = targets.map { byTarget[$0] }
            let values = try rows.map { r in try r?.typedValues(kept) }
            let r = catalog.radiusArcsec
            out.append(CatalogTableColumn(name: prefix + "ID", values: .string(rows.map { $0?.nearestId }),
                                          description: "\(catalog.name): \(catalog.idColumn) of the nearest source within \(r) arcsec",
                                          ucd: "meta.id.cross"))
            out.append(CatalogTableColumn(name: prefix + "SEP", values: .float64(rows.map { $0?.sepArcsec }), unit: "arcsec",
                                          description: "\(catalog.name): separation to the nearest source", displayFormat: "F8.4",
                                          ucd: "pos.angDistance"))
            out.append(CatalogTableColumn(name: prefix + "N", values: .int32(rows.map { $0.map { Int32(clamping: $0.nWithin) } }),
                                          description: "\(catalog.name): sources within \(r) arcsec", ucd: "meta.number"))
            out.append(CatalogTableColumn(name: prefix + "CHANCE", values: .float64(rows.map { $0?.chanceMatches }),
                                          description: "\(catalog.name): expected unrelated sources within \(r) arcsec (local density x pi r^2)",
                                          displayFormat: "E10.3", ucd: "stat.probability"))
            for (i, k) in kept.enumerated() {
                let name = prefix + k.name.uppercased()
                let column: [CatalogValue?] = values.map { $0?[i] }
                let description = "\(catalog.name): " + (k.description ?? "\(k.name) of the nearest source")
                switch k.kind {
                case .float64:
                    out.append(CatalogTableColumn(name: name, values: .float64(column.map { $0?.double }), unit: k.unit, description: description))
                case .int64:
                    out.append(CatalogTableColumn(name: name, values: .int64(column.map { if case .int64(let v)? = $0 { v } else { nil } }),
                                                  unit: k.unit, description: description))
                case .string:
                    out.append(CatalogTableColumn(name: name, values: .string(column.map { if case .string(let v)? = $0 { v } else { nil } }),
                                                  description: description))
                case .bool:
                    out.append(CatalogTableColumn(name: name, values: .bool(column.map { if case .bool(let v)? = $0 { v } else { nil } }),
                                                  description: description))
                }
            }
        }
        return out
    }

    public func provenance() throws -> [CatalogProvenance] {
        catalogs.prefix(99).enumerated().flatMap { i, c in
            [CatalogProvenance("XMCAT\(i + 1)", .string(c.name), comment: "cross-matched catalog"),
             CatalogProvenance("XMFIL\(i + 1)", .string(c.path), comment: "its file"),
             CatalogProvenance("XMRAD\(i + 1)", .double(c.radiusArcsec), comment: "match radius [arcsec]")]
        }
    }
}
