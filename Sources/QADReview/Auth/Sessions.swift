import Foundation

/// A signed-in browser: who it is and the CSRF token its POSTs must carry.
public struct ReviewSession: Sendable {
    public var reviewerID: Int64
    public var reviewerName: String
    public var csrfToken: String
    public var createdAt: Date
}

/// Sessions by cookie value, in memory: restarting `qad review` signs every
/// browser out, and the printed address (or a reviewer's token) signs in again.
actor SessionTable {
    private var sessions: [String: ReviewSession] = [:]
    static let lifetime: TimeInterval = 7 * 24 * 3600

    /// Opens a session and returns its cookie value.
    func open(reviewerID: Int64, name: String) -> (cookie: String, session: ReviewSession) {
        let s = ReviewSession(reviewerID: reviewerID, reviewerName: name, csrfToken: Secret.make(), createdAt: Date())
        let cookie = Secret.make()
        sessions[cookie] = s
        return (cookie, s)
    }

    func session(cookie: String) -> ReviewSession? {
        guard let s = sessions[cookie] else { return nil }
        guard Date().timeIntervalSince(s.createdAt) < Self.lifetime else {
            sessions[cookie] = nil
            return nil
        }
        return s
    }
}
