import Foundation
import Hummingbird

/// GET /login?token=…: a valid reviewer token opens a session (HttpOnly,
/// SameSite=Strict cookie) and lands on the queue; anything else is 401.
func addAuthRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/login") { request, _ -> Response in
        guard let token = request.uri.queryParameters.get("token"),
              let reviewer = try ReviewerTokens.reviewer(store: state.store, token: token), let id = reviewer.id else {
            return htmlResponse(Pages.signInNeeded(unknownToken: true), status: .unauthorized)
        }
        let (cookie, _) = await state.sessions.open(reviewerID: id, name: reviewer.name)
        var response = Response.redirect(to: "/", type: .normal)
        response.setCookie(Cookie(name: SignInMiddleware.cookieName, value: cookie, maxAge: Int(SessionTable.lifetime),
                                  path: "/", httpOnly: true, sameSite: .strict))
        return response
    }
}
