import Foundation
import Hummingbird
import QADStore

/// Runs the review app the way `qad review` and `qad demo` do: issues a fresh
/// sign-in token for the local user, starts the server, and announces the
/// address that signs them in (like Jupyter). Returns when the server stops
/// (SIGINT/SIGTERM end it gracefully).
public enum ReviewServer {
    /// `localUser`: the reviewer the printed address signs in (`--as`); nil
    /// takes the store's local reviewer, or "local". A name that belongs to a
    /// reviewer added with add-reviewer is refused.
    public static func run(_ configuration: ReviewConfiguration, localUser: String? = nil,
                           announce: @escaping @Sendable (String) -> Void = { print($0) }) async throws {
        let project = configuration.project
        let localUser = try localUser ?? ReviewerTokens.defaultLocalName(store: project.store)
        let token = try ReviewerTokens.issue(store: project.store, name: localUser, isLocal: true)
        let host = configuration.host
        let app = try buildApplication(configuration) { port in
            announce("""
                qad review is serving \(project.location) (model \(configuration.model)) on http://\(host):\(port)/
                Open this address to sign in as \(localUser):
                    \(signInAddress(host: host, port: port, token: token))
                Other reviewers: qad review add-reviewer NAME \(storeArguments(project))
                Stop with Ctrl-C.
                """)
            // Scripts wait for this line on a pipe or file, where stdout is block-buffered.
            fflush(nil)  // all output streams; `stdout` itself is not concurrency-safe to name here
        }
        try await app.runService()
    }
}

/// The `--store` (and, when the cache lives elsewhere, `--cache`) arguments
/// that name `project` on the command line; a PostgreSQL location is printed
/// without its password.
func storeArguments(_ project: ProjectStore) -> String {
    project.location == project.directory
        ? "--store \(project.location)" : "--store \(project.location) --cache \(project.directory)"
}
