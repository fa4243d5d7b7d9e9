import Foundation
import HTTPTypes
import Hummingbird

/// GET /login?token=…: a valid reviewer token opens a session (HttpOnly,
/// SameSite=Strict cookie, Secure with `--secure-cookies`) and lands on the
/// queue; anything else is 401.
/// A sign-in that another site started is refused (403): otherwise a page
/// elsewhere could sign a reviewer in as the owner of a token it holds, and
/// their labels would be stored under that name (login CSRF). Browsers say
/// where a navigation came from in Sec-Fetch-Site: "none" for an address
/// typed or opened from a terminal, "same-origin" from qad's own pages.
///
/// POST /logout (a form carrying the CSRF token): ends the session.
func addAuthRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/login") { request, _ -> Response in
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "none" && site != "same-origin" {
            return htmlResponse(Pages.signInFromElsewhere(), status: .forbidden)
        }
        guard let token = request.uri.queryParameters.get("token") else {
            return htmlResponse(Pages.signInNeeded(unknownToken: true), status: .unauthorized)
        }
        let store = state.store
        let reviewer = try await offloaded { try ReviewerTokens.reviewer(store: store, token: token) }
        guard let reviewer, let id = reviewer.id, reviewer.removedAt == nil else {
            return htmlResponse(Pages.signInNeeded(unknownToken: true), status: .unauthorized)
        }
        let (cookie, _) = await state.sessions.open(reviewerID: id, name: reviewer.name, tokenHash: reviewer.tokenHash)
        var response = Response.redirect(to: "/", type: .normal)
        response.setCookie(Cookie(name: SignInMiddleware.cookieName, value: cookie,
                                  maxAge: Int(state.configuration.sessionLifetime), path: "/",
                                  secure: state.configuration.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    router.post("/logout") { request, context -> Response in
        // The sign-out form (application/x-www-form-urlencoded) carries the CSRF token.
        struct Form: Decodable { var csrf: String }
        let body = try await request.body.collect(upTo: 4096)
        let sent = (try? URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body)))?.csrf
        guard let session = context.session, let cookie = context.cookie,
              let sent, Secret.equal(sent, session.csrfToken) else {
            return jsonError("missing or wrong CSRF token", status: .forbidden)
        }
        await state.sessions.close(cookie: cookie)
        var response = htmlResponse(Pages.signedOut())
        response.setCookie(Cookie(name: SignInMiddleware.cookieName, value: "", maxAge: 0, path: "/",
                                  secure: state.configuration.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }
}
