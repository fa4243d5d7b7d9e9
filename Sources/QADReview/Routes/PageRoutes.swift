import Hummingbird
import QADStore

/// The HTML pages: the review app, my labels, consensus.
func addPageRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/") { _, context -> Response in
        htmlResponse(Pages.app(session: context.session!, model: state.configuration.model))
    }
    router.get("/labels") { _, context -> Response in
        let s = context.session!, store = state.store
        return htmlResponse(try await offloaded {
            Pages.myLabels(session: s, events: try store.labelHistory(reviewerId: s.reviewerID, targetid: nil))
        })
    }
    router.get("/consensus") { request, context -> Response in
        let only: Bool
        switch request.uri.queryParameters.get("disagreements") {
        case nil, "", "0": only = false
        case "1": only = true
        case let v?: return htmlResponse("<p>disagreements=\(html(String(v.prefix(40)))) must be 0 or 1</p>", status: .badRequest)
        }
        let store = state.store, session = context.session!
        let page = try await offloaded {
            Pages.consensus(session: session, rows: try store.consensus(), summary: try store.agreementSummary(),
                            reviewers: try store.reviewers(), disagreementsOnly: only)
        }
        return htmlResponse(page)
    }
}
