import Foundation
import Hummingbird
import QADCore
import QADDetect
import QADLabels
import QADPipeline
import QADStore

/// "Hide this family" and its undo: a reviewer's suppressions of candidate
/// families (`FamilySuppressions`), which their queue then leaves out.
func addSuppressionRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/api/suppressions") { _, context -> Response in
        let reviewer = context.session!.reviewerID, name = context.session!.reviewerName
        let body: SuppressionListBody = try await offloaded {
            let all = try state.store.suppressions(reviewerId: reviewer)
            let members = try FamilySuppressions(store: state.store)
                .members(of: all.map(\.window), model: state.configuration.model, count: state.countSelection)
            return SuppressionListBody(suppressions: zip(all, members).map { SuppressionBody($0, reviewer: name, members: $1) })
        }
        return jsonResponse(body)
    }

    router.post("/api/suppress") { request, context -> Response in
        let bytes = try await request.body.collect(upTo: 4 * 1024)
        let input: SuppressInput
        do { input = try JSONDecoder().decode(SuppressInput.self, from: Data(bytes.readableBytesView)) } catch {
            return jsonError("suppress body: \(error)", status: .badRequest)
        }
        guard let seed = TargetID(input.targetid) else { return jsonError("targetid must be an integer", status: .badRequest) }
        guard let frame = FamilyWindow.Frame(rawValue: input.frame ?? "obs") else {
            return jsonError("frame must be obs or rest", status: .badRequest)
        }
        let reviewer = context.session!.reviewerID, name = context.session!.reviewerName
        let result: Result<SuppressionBody, LocatedError> = try await offloaded {
            let families = FamilySuppressions(store: state.store)
            do {
                let window = try families.family(of: seed, model: state.configuration.model, frame: frame)
                let stored = try families.suppress(window, seed: seed, reviewerId: reviewer)
                let members = try families.members(of: [window], model: state.configuration.model, count: state.countSelection)
                return .success(SuppressionBody(stored, reviewer: name, members: members[0]))
            } catch let e as LocatedError {
                return .failure(e)
            }
        }
        switch result {
        case .success(let body): return jsonResponse(body, status: .created)
        case .failure(let e): return jsonError(e.description, status: .notFound)
        }
    }

    router.post("/api/suppress/:id/undo") { _, context -> Response in
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
            return jsonError("suppression id must be an integer", status: .badRequest)
        }
        let reviewer = context.session!.reviewerID, name = context.session!.reviewerName
        let undone: SuppressionRecord? = try await offloaded {
            try state.store.withdrawSuppression(id: id, reviewerId: reviewer, at: Date().timeIntervalSince1970)
        }
        guard let undone else { return jsonError("you have no active suppression \(id)", status: .notFound) }
        return jsonResponse(SuppressionBody(undone, reviewer: name, members: nil))
    }
}

/// POST /api/suppress: the candidate whose family to hide, and the frame of its residual.
struct SuppressInput: Decodable {
    var targetid: String
    var frame: String?
}

struct SuppressionBody: Encodable {
    var id: Int64?
    var frame: String
    var lambdaMin: Double
    var lambdaMax: Double
    var minimumPercentile: Double
    var seed: String
    var createdAt: Double
    var withdrawnAt: Double?
    var members: Int?
    var description: String

    init(_ s: SuppressionRecord, reviewer: String, members: Int?) {
        id = s.id
        frame = s.frame
        lambdaMin = s.lambdaMin
        lambdaMax = s.lambdaMax
        minimumPercentile = s.minimumPercentile
        seed = String(s.seed)  // exact in JavaScript
        createdAt = s.createdAt
        withdrawnAt = s.withdrawnAt
        self.members = members
        description = FamilySuppressions.describe(s, reviewer: reviewer, members: members)
    }

    enum CodingKeys: String, CodingKey {
        case id, frame, seed, members, description
        case lambdaMin = "lambda_min", lambdaMax = "lambda_max", minimumPercentile = "minimum_percentile"
        case createdAt = "created_at", withdrawnAt = "withdrawn_at"
    }
}

struct SuppressionListBody: Encodable {
    var suppressions: [SuppressionBody]
}
