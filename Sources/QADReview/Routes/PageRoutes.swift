import Hummingbird
import QADStore

/// The HTML pages: the review app, my labels, consensus.
func addPageRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/") { _, context -> Response in
        htmlResponse(Pages.app(session: context.session!, model: state.configuration.model))
    }
    router.get("/labels") { _, context -> Response in
        let s = context.session!
        return htmlResponse(Pages.myLabels(session: s, events: try state.store.labelHistory(reviewerId: s.reviewerID, targetid: nil)))
    }
    router.get("/consensus") { _, context -> Response in
        htmlResponse(Pages.consensus(session: context.session!, rows: try state.store.consensus(),
                                     summary: try state.store.agreementSummary(), reviewers: try state.store.reviewers()))
    }
}
