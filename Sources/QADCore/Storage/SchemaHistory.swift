/// The names of the store's schema migrations, in the order they run. Stores
/// record each name once it has run, so a name never changes and a store made
/// by an earlier qad gains exactly the steps it lacks. Tables and columns
/// name the step that created them (`StoredTable.createdBy`,
/// `StoredColumn.addedBy`); a score added later names its own step
/// (`ScoreDefinition.addedBy`), appended after these.
public enum SchemaHistory {
    public static let catalog = "v1: catalog, files, problems, cache shards"
    public static let modelOutputs = "v2: model outputs"
    public static let scores = "v3: scores"
    public static let crossmatch = "v3 crossmatch: external catalogs and per-target matches"
    public static let reviews = "v4: reviewers and labels"
    public static let upstreamARD = "v3: upstream ARD columns"
    /// PostgreSQL only: the queue shared-store workers claim input files from.
    public static let workQueue = "pg1: work queue"
    public static let shapeScores = "v5: colour and line-strength scores"
    public static let targetedScores = "v6: arm-step, sky-line and BAL-trough scores"
    public static let noiseScale = "v7: spectrum noise scale"
    public static let reviewAccess = "v8: removed reviewers and proposed redshifts"
    public static let epochs = "v9: repeat epochs"
    public static let epochVariability = "v10: epoch variability"
    public static let epochLineChanges = "v11: per-line changes between epochs"
    public static let suppressions = "v12: suppressed candidate families"

    /// Every fixed step in order (score columns added later follow them).
    public static let ordered = [catalog, modelOutputs, scores, crossmatch, reviews, upstreamARD, workQueue, shapeScores,
                                 targetedScores, noiseScale, reviewAccess, epochs, epochVariability,
                                 epochLineChanges, suppressions]
}
