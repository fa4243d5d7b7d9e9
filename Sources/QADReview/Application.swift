import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import QADDetect
import QADStore

/// The review web app: routes, sign-in, CSRF checks, security headers. `qad
/// review` runs it; tests call it through HummingbirdTesting.
public func buildApplication(
    _ configuration: ReviewConfiguration,
    onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let state = try ReviewState(configuration)
    // Count the default queue once now, so the first reviewers do not all count a large survey at once.
    _ = try state.countSelection(CandidateQuery(model: configuration.model))
    let router = Router(context: ReviewRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ServerTimingMiddleware())
    var logger = Logger(label: "qad-review")
    logger.logLevel = .warning
    router.add(middleware: SignInMiddleware(state: state))
    addStaticRoutes(router)
    addAuthRoutes(router, state: state)
    addPageRoutes(router, state: state)
    addAPIRoutes(router, state: state)
    addSuppressionRoutes(router, state: state)
    addFigureRoutes(router, state: state)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "qad-review"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The address that signs the local user in, as `qad review` prints it.
public func signInAddress(host: String, port: Int, token: String) -> String {
    let h = host.contains(":") ? "[\(host)]" : host
    return "http://\(h):\(port)/login?token=\(token)"
}

// MARK: responses

func htmlResponse(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
             body: .init(byteBuffer: ByteBuffer(string: body)))
}

func jsonResponse(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
             body: .init(byteBuffer: ByteBuffer(string: body)))
}

/// A small JSON body from a Codable value (large float arrays go through `JSONWriter`).
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    // '<' as \u003c, so a body shown as HTML can never close a tag.
    let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    return jsonResponse(text, status: status)
}

func jsonError(_ message: String, status: HTTPResponse.Status) -> Response {
    jsonResponse(["error": message], status: status)
}

// MARK: middleware

/// Headers that keep the pages from being framed, sniffed or running any
/// script but the app's own file.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ReviewRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; script-src 'self'; "
            + "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Reports the server's own time per request (`Server-Timing: app;dur=ms`),
/// which the load benchmark reads.
struct ServerTimingMiddleware: RouterMiddleware {
    typealias Context = ReviewRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response = try await next(request, context)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        response.headers[HTTPField.Name("Server-Timing")!] = "app;dur=" + String(format: "%.3f", ms)
        return response
    }
}

/// Finds the session of the request's cookie; refuses requests without one
/// (401) and POSTs without the session's CSRF token (403). A session whose
/// reviewer has since been given a new token or removed ends here, at its
/// next request. Only sign-in and the static files are open; sign-out checks
/// its CSRF token from the form it posts.
struct SignInMiddleware: RouterMiddleware {
    typealias Context = ReviewRequestContext
    let state: ReviewState
    static let cookieName = "qad_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/login" || path.hasPrefix("/static/") || path == "/favicon.ico" {
            return try await next(request, context)
        }
        guard let cookie = request.cookies[Self.cookieName]?.value else { return notSignedIn(path: path, ended: false) }
        guard let session = await state.sessions.session(cookie: cookie) else {
            return notSignedIn(path: path, ended: await state.sessions.wasRevoked(cookie: cookie))
        }
        let store = state.store, hash = session.tokenHash
        let current = try await DedicatedThreads.auth.run { try store.reviewer(tokenHash: hash) }
        guard let current, current.id == session.reviewerID, current.removedAt == nil else {
            await state.sessions.close(cookie: cookie, revoked: true)
            return notSignedIn(path: path, ended: true)
        }
        if request.method != .get && request.method != .head && path != "/logout" {
            guard let sent = request.headers[Self.csrfHeader], Secret.equal(sent, session.csrfToken) else {
                return jsonError("missing or wrong CSRF token", status: .forbidden)
            }
        }
        var context = context
        context.session = session
        context.cookie = cookie
        return try await next(request, context)
    }

    private func notSignedIn(path: String, ended: Bool) -> Response {
        let message = ended ? "your session has ended: your sign-in token was replaced or you were removed as a reviewer"
                            : "not signed in"
        if path.hasPrefix("/api/") { return jsonError(message, status: .unauthorized) }
        return htmlResponse(Pages.signInNeeded(sessionEnded: ended), status: .unauthorized)
    }
}
