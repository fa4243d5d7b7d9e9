import Foundation
import HTTPTypes
import Hummingbird

/// GET /login?token=…: a valid reviewer token opens a session (HttpOnly,
/// SameSite=Strict cookie) and lands on the queue; anything else is 401.
/// A sign-in that another site started is refused (403): otherwise a page
/// elsewhere could sign a reviewer in as the owner of a token it holds, and
/// their labels would be stored under that name (login CSRF). Browsers say
/// where a navigation came from in Sec-Fetch-Site: "none" for an address
/// typed or opened from a terminal, "same-origin" from qad's own pages.
func addAuthRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/login") { request, _ -> Response in
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "none" && site != "same-origin" {
            return htmlResponse(Pages.signInFromElsewhere(), status: .forbidden)
        }
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
