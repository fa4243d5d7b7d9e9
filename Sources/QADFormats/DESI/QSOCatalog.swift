import QADCore

/// One quasar from a DESI QSO catalog or the AGN/QSO value-added catalog.
public struct QSOCatalogEntry: Sendable {
    public var z: Double
    public var ra: Double
    public var dec: Double
    public var balProb: Double?
    public var biCIV: Double?
    public var aiCIV: Double?

    public init(z: Double, ra: Double = .nan, dec: Double = .nan, balProb: Double? = nil, biCIV: Double? = nil,
                aiCIV: Double? = nil) {
        self.z = z
        self.ra = ra
        self.dec = dec
        self.balProb = balProb
        self.biCIV = biCIV
        self.aiCIV = aiCIV
    }
}

/// DESI QSO catalogs (HDU QSO_CAT, or the first table): they define the sample
/// and supply its redshifts; BAL columns are joined by TARGETID when present.
public struct QSOCatalog: Sendable {
    public private(set) var entries: [TargetID: QSOCatalogEntry] = [:]
    public private(set) var problems: [InputProblem] = []
    public private(set) var sources: [String] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public subscript(id: TargetID) -> QSOCatalogEntry? { entries[id] }

    /// Adds one target from another kind of source (an upstream ARD table);
    /// a TARGETID already present keeps its first entry. Returns whether it was added.
    @discardableResult
    public mutating func add(_ id: TargetID, _ entry: QSOCatalogEntry, source: String) -> Bool {
        if !sources.contains(source) { sources.append(source) }
        guard entries[id] == nil else { return false }
        entries[id] = entry
        return true
    }

    /// Adds a catalog file; TARGETIDs already present (from an earlier catalog
    /// or an earlier row) keep their first entry.
    public mutating func add(path: String) throws {
        let fits = try FITSFile.open(path)
        if fits.hasHDU("QSO_CAT") { try fits.moveTo(hdu: "QSO_CAT") } else { try fits.moveTo(index: 1) }
        let ids = try fits.readColumn("TARGETID", as: Int64.self)
        let z = try fits.readColumn("Z", as: Double.self)
        let n = ids.count
        func optional(_ names: [String]) throws -> [Double]? {
            for name in names where fits.hasColumn(name) {
                return try fits.readColumn(name, as: Double.self)
            }
            return nil
        }
        let ra = try optional(["TARGET_RA", "RA"]) ?? [Double](repeating: .nan, count: n)
        let dec = try optional(["TARGET_DEC", "DEC"]) ?? [Double](repeating: .nan, count: n)
        let bal = try optional(["BAL_PROB"])
        let bi = try optional(["BI_CIV"])
        let ai = try optional(["AI_CIV"])
        entries.reserveCapacity(entries.count + n)
        for i in 0..<n {
            if entries[ids[i]] != nil {
                problems.append(InputProblem(file: path, hdu: fits.currentHDUName, column: "TARGETID", row: i,
                                             message: "TARGETID \(ids[i]) already in a catalog; first entry kept"))
                continue
            }
            entries[ids[i]] = QSOCatalogEntry(z: z[i], ra: ra[i], dec: dec[i],
                                              balProb: bal.map { $0[i] }, biCIV: bi.map { $0[i] },
                                              aiCIV: ai.map { $0[i] })
        }
        sources.append(path)
    }
}
