import QADCore

extension SkyTargets {
    /// Targets from a catalog file (for tests and benchmarks; `qad crossmatch`
    /// takes them from the store): an integer id column and RA/Dec in degrees.
    public static func load(path: String, id: String, ra: String, dec: String) throws -> SkyTargets {
        let catalog = try openExternalCatalog(path)
        let idName = try catalog.require(id, role: "target id")
        let raName = try catalog.require(ra, role: "RA")
        let decName = try catalog.require(dec, role: "Dec")
        guard try catalog.kind(of: idName) == .int64 else {
            throw LocatedError(file: path, column: idName, message: "target ids must be integers")
        }
        if let csv = catalog as? CSVCatalog {
            csv.setKind(.float64, of: raName)
            csv.setKind(.float64, of: decName)
        }
        var ids: [TargetID] = [], ras: [Double] = [], decs: [Double] = []
        try catalog.forEachChunk(columns: [idName, raName, decName], rows: 1 << 20) { chunk in
            guard case .int64(let i) = chunk.columns[idName]!.values else { return }
            ids += i
            for (name, out) in [(raName, 0), (decName, 1)] {
                let values: [Double]
                switch chunk.columns[name]!.values {
                case .float64(let v): values = v
                case .int64(let v): values = v.map(Double.init)
                default: throw LocatedError(file: path, column: name, message: "coordinates must be numbers")
                }
                if out == 0 { ras += values } else { decs += values }
            }
        }
        return try SkyTargets(ids: ids, ra: ras, dec: decs, source: path)
    }
}
