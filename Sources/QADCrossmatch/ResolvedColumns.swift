import QADCore
/// The request's column names resolved against one catalog file: explicit
/// flags first, then the preset's spellings, then RA/DEC.
struct ResolvedColumns {
    var ra: String
    var dec: String
    var id: String?
    /// Kept columns as the file spells them, preset ones first, no repeats.
    var keep: [String]
    var derived: [DerivedColumn]

    init(catalog: any ExternalCatalog, request: CrossmatchRequest) throws {
        let preset = request.preset
        func pick(_ explicit: String?, _ candidates: [String], role: String) throws(LocatedError) -> String {
            if let explicit { return try catalog.require(explicit, role: role) }
            for c in candidates { if let found = catalog.resolve(c) { return found } }
            return try catalog.require(candidates.first ?? role, role: role)
        }
        ra = try pick(request.raColumn, preset?.ra ?? ["RA", "TARGET_RA", "RAJ2000"], role: "RA")
        dec = try pick(request.decColumn, preset?.dec ?? ["DEC", "TARGET_DEC", "DEJ2000"], role: "Dec")
        if let explicit = request.idColumn {
            id = try catalog.require(explicit, role: "id")
        } else {
            id = preset?.id.lazy.compactMap { catalog.resolve($0) }.first
        }
        var keep: [String] = []
        for group in preset?.keep ?? [] {
            if let found = group.lazy.compactMap({ catalog.resolve($0) }).first { keep.append(found) }
        }
        for name in request.keep { keep.append(try catalog.require(name, role: "kept column")) }
        var seen = Set<String>()
        self.keep = keep.filter { seen.insert($0).inserted }
        for name in self.keep { _ = try catalog.kind(of: name) }
        if let id { _ = try catalog.kind(of: id) }
        derived = preset?.derived ?? []
    }

    /// The id of a chunk row: the id column's value, or the row number.
    func idValue(_ chunk: CatalogChunk, _ row: Int) -> CatalogValue {
        guard let id else { return .int64(Int64(chunk.firstRow + row)) }
        return chunk.columns[id]![row]
    }
}
