import Foundation
import Hummingbird
import QADCore
import QADCrossmatch
import QADDetect
import QADPipeline
import QADPlot
import QADStore

/// Cross-matches of a target against external catalogs. The cross-match
/// stage provides one when its table lands; until then the page says "none".
public protocol CrossmatchProvider: Sendable {
    func crossmatches(of targetid: TargetID) throws -> [CrossmatchEntry]
}

public struct CrossmatchEntry: Sendable {
    public var catalog: String
    public var id: String
    public var separationArcsec: Double
    public var summary: String

    public init(catalog: String, id: String, separationArcsec: Double, summary: String = "") {
        self.catalog = catalog
        self.id = id
        self.separationArcsec = separationArcsec
        self.summary = summary
    }
}

/// What `qad review` serves: a project (any store: a SQLite folder or
/// PostgreSQL with a cache folder) and one model's scores.
public struct ReviewConfiguration: Sendable {
    public var project: ProjectStore
    public var model = "vae"
    /// 127.0.0.1 unless a reviewer elsewhere must reach it (then put TLS in front).
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 8765
    public var crossmatches: (any CrossmatchProvider)?
    /// Marks the session cookie Secure: for serving behind a TLS proxy, where
    /// browsers then never send it over plain HTTP.
    public var secureCookies = false
    /// Folder of redrock's `rrtemplate-*.fits`, for the redrock best-fit model
    /// (redrock's own RR_TEMPLATE_DIR by default).
    public var redrockTemplates: String? = ProcessInfo.processInfo.environment["RR_TEMPLATE_DIR"]
    /// How long a sign-in lasts before the reviewer must open their address again.
    public var sessionLifetime: TimeInterval = 7 * 24 * 3600

    public init(project: ProjectStore, model: String = "vae", host: String = "127.0.0.1", port: Int = 8765) {
        self.project = project
        self.model = model
        self.host = host
        self.port = port
    }
}

/// Shared by all requests: the store, the spectra, the sessions.
final class ReviewState: Sendable {
    let configuration: ReviewConfiguration
    let project: ProjectStore
    let store: any Store
    let spectra: SpectrumLoader
    let sessions: SessionTable
    let selectionCounts = SelectionCounts()
    let figureSlots = RenderSlots.forThisMachine
    /// Relevance-ordered queues, kept between requests (`LiveRelevanceQueues`).
    let relevance: LiveRelevanceQueues

    init(_ configuration: ReviewConfiguration) throws {
        project = configuration.project
        store = project.store
        // The store's own cross-matches, when `qad crossmatch` has run and no other provider is given.
        var configuration = configuration
        if configuration.crossmatches == nil, try !store.crossmatchCatalogs().isEmpty {
            configuration.crossmatches = try StoreCrossmatches(store: store)
        }
        self.configuration = configuration
        sessions = SessionTable(lifetime: configuration.sessionLifetime)
        spectra = try PlotStage.loader(project: project, model: configuration.model)
        relevance = LiveRelevanceQueues(project: project, model: configuration.model)
    }

    /// How many candidates a selection holds, through the minute-long count cache.
    func countSelection(_ query: CandidateQuery) throws -> Int {
        try selectionCounts.count(query) { try store.candidateCount($0) }
    }
}

/// A request's context: Hummingbird's core plus the signed-in session.
struct ReviewRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var session: ReviewSession?
    /// The session's cookie value, for sign-out.
    var cookie: String?

    init(source: Source) {
        coreContext = .init(source: source)
        session = nil
        cookie = nil
    }
}
