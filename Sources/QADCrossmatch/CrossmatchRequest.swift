/// What to match against: the catalog file, which of its columns hold what,
/// and the radius.
public struct CrossmatchRequest: Sendable {
    public var catalogPath: String
    /// Column names; nil takes them from the preset, else RA/DEC.
    public var raColumn: String?
    public var decColumn: String?
    /// Without an id column (and no preset id found), sources are named by row (0-based), as "ROW".
    public var idColumn: String?
    public var raUnit: AngleUnit = .degree
    public var decUnit: AngleUnit = .degree
    /// Columns of the nearest source to keep (beside the preset's).
    public var keep: [String] = []
    public var preset: CatalogPreset?
    public var radiusArcsec: Double = 2
    /// Sources per chunk read from the catalog (Parquet uses its row groups).
    public var chunkRows = 1 << 20
    public var threads = 1
    /// Sources the density estimate must rest on (see LocalDensity).
    public var densityMinimumCount = 20

    public init(catalogPath: String, radiusArcsec: Double = 2) {
        self.catalogPath = catalogPath
        self.radiusArcsec = radiusArcsec
    }
}

/// A kept (or derived) column of a cross-match, as the store and exports describe it.
public struct KeptColumn: Codable, Sendable, Equatable {
    public var name: String
    public var kind: CatalogValueKind
    public var unit: String?
    public var description: String?

    public init(name: String, kind: CatalogValueKind, unit: String? = nil, description: String? = nil) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.description = description
    }
}

/// The match of one target against one catalog.
public struct TargetMatch: Sendable, Equatable {
    /// Nearest source within the radius: its id (as text, integers exact) and separation.
    public var nearestID: String?
    public var nearestSeparationArcsec: Double?
    /// Sources within the radius.
    public var countWithin: Int
    /// Values of the kept and derived columns of the nearest source (nil without a match).
    public var values: [CatalogValue]?
    /// Catalog sources per deg² around the target (its counterparts excluded).
    public var densityPerDeg2: Double
    /// Area the density was counted over (deg²).
    public var densityAreaDeg2: Double
    /// Expected number of unrelated sources within the radius: density × π r².
    public var chanceMatches: Double
}

/// Everything one cross-match found.
public struct CrossmatchResult: Sendable {
    public var catalogPath: String
    public var raColumn: String
    public var decColumn: String
    /// The id column as the catalog spells it ("ROW" when sources are named by row).
    public var idColumn: String
    public var radiusArcsec: Double
    public var keptColumns: [KeptColumn]
    public var sourcesRead: Int
    public var pairs: Int
    /// One per target, in the order of the targets given.
    public var matches: [TargetMatch]
    public var seconds: Double

    public var matchedTargets: Int { matches.count { $0.countWithin > 0 } }
    /// Sum of the chance-match expectations over matched targets: how many of
    /// the matches are expected to be unrelated sources.
    public var expectedFalseMatches: Double {
        matches.reduce(0) { $0 + ($1.countWithin > 0 ? min($1.chanceMatches, 1) : 0) }
    }
}
