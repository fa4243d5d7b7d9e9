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
    _ = try state.selectionCounts.count(CandidateQuery(model: configuration.model)) { try state.store.candidateCount($0) }
    let router = Router(context: ReviewRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ServerTimingMiddleware())
    var logger = Logger(label: "qad-review")
    logger.logLevel = .warning
    router.add(middleware: SignInMiddleware(state: state))
    // The app's own script and style sheet, nothing else: Hummingbird refuses
    // paths with "..", and only files inside the Static folder exist for it.
    router.add(middleware: FileMiddleware(state.staticRoot, urlBasePath: "/static",
                                          cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]),
                                          logger: logger))
    addAuthRoutes(router, state: state)
    addPageRoutes(router, state: state)
    addAPIRoutes(router, state: state)
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
/// (401) and POSTs without the session's CSRF token (403). Only sign-in and
/// the static files are open.
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
        guard let cookie = request.cookies[Self.cookieName]?.value,
              let session = await state.sessions.session(cookie: cookie) else {
            if path.hasPrefix("/api/") { return jsonError("not signed in", status: .unauthorized) }
            return htmlResponse(Pages.signInNeeded(), status: .unauthorized)
        }
        if request.method != .get && request.method != .head {
            guard let sent = request.headers[Self.csrfHeader], Secret.equal(sent, session.csrfToken) else {
                return jsonError("missing or wrong CSRF token", status: .forbidden)
            }
        }
        var context = context
        context.session = session
        return try await next(request, context)
    }
}
