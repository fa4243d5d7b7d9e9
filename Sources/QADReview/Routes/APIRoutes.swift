import Foundation
import Hummingbird
import NIOCore
import QADCore
import QADLabels
import QADPipeline
import QADPlot
import QADStore

/// JSON for the app: session, queue, one candidate, labelling.
func addAPIRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/api/session") { _, context -> Response in
        let s = context.session!
        return jsonResponse(SessionBody(
            reviewer: s.reviewerName, csrf: s.csrfToken, model: state.configuration.model,
            classes: LabelClass.allCases.map { .init(key: $0.rawValue, title: $0.title, subtypes: $0.suggestedSubtypes) },
            lines: EmissionLine.quasarLines.map { .init(name: $0.name, rest: $0.restLambda) },
            absorbers: AbsorptionLine.markers.map { .init(name: $0.name, rest: $0.restLambda, galactic: $0.galactic) }))
    }

    router.get("/api/queue") { request, context -> Response in
        let params: QueueParameters
        do { params = try QueueParameters(request.uri.queryParameters, model: state.configuration.model) } catch let e as QueueParameters.Invalid {
            return jsonError(e.message, status: .badRequest)
        }
        let reviewer = context.session!.reviewerID
        // The families this reviewer suppressed leave their queue, in either order.
        let hidden = try await offloaded { try state.store.hiddenFamilies(reviewerId: reviewer) }
        var query = params.query
        query.hiddenFamilies = hidden
        if let relevance = params.relevance {
            let source: RelevanceSource = relevance.team ? .team : .reviewer(context.session!.reviewerName)
            let text = try await offloaded { [query] in
                let page = try state.relevance.page(query, source: source, map: relevance.map)
                let ids = page.rows.map(\.score.targetid)
                var spectra: [TargetID: SpectrumRecord] = [:]
                for id in ids { spectra[id] = try state.store.spectrum(id) }
                var mine: [TargetID: String] = [:]
                for l in try state.store.currentLabels(reviewerId: reviewer, targetids: ids) { mine[l.targetid] = l.labelClass.rawValue }
                return CandidateJSON.relevanceQueue(page, spectra: spectra, mine: mine, offset: query.offset)
            }
            return jsonResponse(text)
        }
        let text = try await offloaded { [query] in
            let total = try state.countSelection(query)
            let page = try state.store.reviewQueue(query, reviewerId: reviewer,
                                                   unlabelledFirst: params.unlabelledFirst, total: total)
            return CandidateJSON.queue(page, offset: query.offset)
        }
        return jsonResponse(text)
    }

    // "More like this": the spectra a label on this one would move most, among the queue's selection.
    router.get("/api/similar/:targetid") { request, context -> Response in
        guard let id = context.parameters.get("targetid").flatMap({ TargetID($0) }) else {
            return jsonError("TARGETID must be an integer", status: .badRequest)
        }
        let params: QueueParameters
        do { params = try QueueParameters(request.uri.queryParameters, model: state.configuration.model) } catch let e as QueueParameters.Invalid {
            return jsonError(e.message, status: .badRequest)
        }
        let reviewer = context.session!.reviewerID
        let text: String? = try await offloaded {
            guard try state.store.score(model: state.configuration.model, targetid: id) != nil else { return nil }
            var query = params.query
            query.hiddenFamilies = try state.store.hiddenFamilies(reviewerId: reviewer)
            let limit = query.limit ?? 50
            query.limit = nil
            query.offset = 0
            let found = try SimilarSpectra(project: state.project).run(id, query: query, limit: limit,
                                                                       sample: try state.relevance.currentSample())
            var mine: [TargetID: String] = [:]
            for l in try state.store.currentLabels(reviewerId: reviewer, targetids: found.map(\.candidate.spectrum.targetid)) {
                mine[l.targetid] = l.labelClass.rawValue
            }
            return CandidateJSON.similar(found, to: id, mine: mine)
        }
        guard let text else { return jsonError("no \(state.configuration.model) scores for TARGETID \(id)", status: .notFound) }
        return jsonResponse(text)
    }

    router.get("/api/candidate/:targetid") { _, context -> Response in
        guard let id = context.parameters.get("targetid").flatMap({ TargetID($0) }) else {
            return jsonError("TARGETID must be an integer", status: .badRequest)
        }
        let me = context.session!.reviewerID
        let text: String? = try await offloaded {
            guard let spectrum = try state.store.spectrum(id) else { return nil }
            let score = try state.store.score(model: state.configuration.model, targetid: id)
            let data = try state.spectra.load(spectrum, score: score)
            // Everyone's events on this target: the reviewer's own history, and the others' notes and labels by name.
            let events = try state.store.labelHistory(reviewerId: nil, targetid: id)
            let names = try state.store.reviewerNames()
            let matches = try state.configuration.crossmatches?.crossmatches(of: id)
            let epochs = try state.store.epochs(of: id)
            let variability = epochs.count > 1 ? try state.store.epochVariability(of: id) : nil
            return CandidateJSON.candidate(spectrum: spectrum, score: score, data: data,
                                           history: events.filter { $0.reviewerId == me },
                                           others: events.filter { $0.reviewerId != me }.map { (names[$0.reviewerId] ?? "?", $0) },
                                           crossmatches: matches, epochs: epochs, variability: variability)
        }
        guard let text else { return jsonError("no TARGETID \(id) in the store", status: .notFound) }
        return jsonResponse(text)
    }

    // The source file's own pixels of one target (b/r/z for a DESI coadd);
    // masked pixels carry ivar 0.
    router.get("/api/arms/:targetid") { _, context -> Response in
        try await fromSource(state, context) { spectrum in CandidateJSON.arms(spectrum, try SourcePixels.arms(of: spectrum)) }
    }

    // The redrock best-fit model on the candidate's observed wavelength grid,
    // from the redrock file beside its source coadd.
    router.get("/api/redrock/:targetid") { _, context -> Response in
        let model = state.configuration.model, templates = state.configuration.redrockTemplates
        return try await fromSource(state, context) { spectrum in
            guard let templates else {
                throw LocatedError("no redrock template folder: start qad review with --redrock-templates DIR (or set RR_TEMPLATE_DIR)")
            }
            let data = try state.spectra.load(spectrum, score: try state.store.score(model: model, targetid: spectrum.targetid))
            let lambda = data.restLambda.map { $0 * (1 + spectrum.z) }
            return CandidateJSON.redrock(try RedrockModel.model(of: spectrum, templates: templates, at: lambda), lambda: lambda)
        }
    }

    router.post("/api/label") { request, context -> Response in
        let body = try await request.body.collect(upTo: 64 * 1024)
        let input: LabelInput
        do { input = try JSONDecoder().decode(LabelInput.self, from: Data(body.readableBytesView)) } catch {
            return jsonError("label body: \(error)", status: .badRequest)
        }
        guard let targetid = TargetID(input.targetid) else { return jsonError("targetid must be an integer", status: .badRequest) }
        guard let cls = LabelClass(rawValue: input.labelClass) else { return jsonError("unknown class \(input.labelClass)", status: .badRequest) }
        guard let confidence = LabelConfidence(rawValue: input.confidence ?? 2) else {
            return jsonError("confidence must be 1, 2 or 3", status: .badRequest)
        }
        if let z = input.proposedZ, !(z.isFinite && z > 0 && z < 12) {
            return jsonError("proposed_z must be a redshift above 0 and below 12", status: .badRequest)
        }
        guard (input.notes ?? "").count <= 4000, (input.subtype ?? "").count <= 80, (input.clientEventId ?? "").count <= 80 else {
            return jsonError("notes, sub-type or event id too long", status: .badRequest)
        }
        // PostgreSQL text cannot hold NUL; refusing it on every store keeps both alike.
        guard ![input.notes, input.subtype, input.clientEventId].contains(where: { $0?.contains("\0") == true }) else {
            return jsonError("notes, sub-type or event id contain a NUL character", status: .badRequest)
        }
        let event = LabelEventRecord(
            reviewerId: context.session!.reviewerID, targetid: targetid, labelClass: cls, subtype: input.subtype ?? "",
            confidence: confidence, notes: input.notes ?? "", clientEventId: input.clientEventId, proposedZ: input.proposedZ)
        let stored: LabelEventRecord? = try await offloaded {
            guard try state.store.spectrum(targetid) != nil else { return nil }
            // A class key pressed twice, or the same decision sent again
            // without an event id, is the decision already stored: answer
            // with it rather than append an identical event.
            if let last = try state.store.labelHistory(reviewerId: event.reviewerId, targetid: targetid).last,
               last.labelClass == event.labelClass, last.subtype == event.subtype,
               last.confidence == event.confidence, last.notes == event.notes, last.proposedZ == event.proposedZ {
                return last
            }
            return try state.store.appendLabel(event)
        }
        guard let stored else { return jsonError("no TARGETID \(targetid) in the store", status: .notFound) }
        return jsonResponse(LabelEventBody(stored))
    }
}

/// A document read from a target's source files, off the event loop; 404
/// with the reason (file gone or changed, no redrock file, no template)
/// when it cannot be made.
func fromSource(_ state: ReviewState, _ context: ReviewRequestContext,
            _ make: @escaping @Sendable (SpectrumRecord) throws -> String) async throws -> Response {
    guard let id = context.parameters.get("targetid").flatMap({ TargetID($0) }) else {
        return jsonError("TARGETID must be an integer", status: .badRequest)
    }
    let store = state.store
    let result: Result<String, LocatedError>? = try await offloaded { () throws -> Result<String, LocatedError>? in
        guard let spectrum = try store.spectrum(id) else { return nil }
        do {
            return .success(try make(spectrum))
        } catch let e as LocatedError {
            return .failure(e)
        } catch {
            return .failure(LocatedError("\(spectrum.sourceFile): \(error)"))
        }
    }
    switch result {
    case nil: return jsonError("no TARGETID \(id) in the store", status: .notFound)
    case .failure(let e)?: return jsonError(e.description, status: .notFound)
    case .success(let text)?: return jsonResponse(text)
    }
}

/// GET /api/session: who is signed in, the CSRF token, and what the page offers.
struct SessionBody: Encodable {
    struct ClassInfo: Encodable {
        var key: String
        var title: String
        var subtypes: [String]
    }
    struct Line: Encodable {
        var name: String
        var rest: Double
    }
    struct Absorber: Encodable {
        var name: String
        var rest: Double
        var galactic: Bool
    }
    var reviewer: String
    var csrf: String
    var model: String
    var classes: [ClassInfo]
    var lines: [Line]
    var absorbers: [Absorber]
}

/// A stored label event as POST /api/label answers it (TARGETID an exact integer).
struct LabelEventBody: Encodable {
    var event: Int64?
    var targetid: TargetID
    var labelClass: String
    var subtype: String
    var confidence: Int
    var notes: String
    var createdAt: Double
    var proposedZ: Double?

    init(_ e: LabelEventRecord) {
        event = e.id
        targetid = e.targetid
        labelClass = e.labelClass.rawValue
        subtype = e.subtype
        confidence = e.confidence.rawValue
        notes = e.notes
        createdAt = e.createdAt
        proposedZ = e.proposedZ
    }

    enum CodingKeys: String, CodingKey {
        case event, targetid, subtype, confidence, notes
        case labelClass = "class"
        case createdAt = "created_at"
        case proposedZ = "proposed_z"
    }
}

/// The body of POST /api/label. `targetid` arrives as a string (the page never
/// holds it as a JS number) or as an integer literal.
struct LabelInput: Decodable {
    var targetid: String
    var labelClass: String
    var subtype: String?
    var confidence: Int?
    var notes: String?
    var clientEventId: String?
    var proposedZ: Double?

    enum CodingKeys: String, CodingKey {
        case targetid, subtype, confidence, notes
        case labelClass = "class"
        case clientEventId = "client_event_id"
        case proposedZ = "proposed_z"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let s = try? c.decode(String.self, forKey: .targetid) { targetid = s } else { targetid = String(try c.decode(Int64.self, forKey: .targetid)) }
        labelClass = try c.decode(String.self, forKey: .labelClass)
        subtype = try c.decodeIfPresent(String.self, forKey: .subtype)
        confidence = try c.decodeIfPresent(Int.self, forKey: .confidence)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        clientEventId = try c.decodeIfPresent(String.self, forKey: .clientEventId)
        proposedZ = try c.decodeIfPresent(Double.self, forKey: .proposedZ)
    }
}
