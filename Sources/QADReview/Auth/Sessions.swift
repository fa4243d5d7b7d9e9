import Foundation

/// A signed-in browser: who it is, the token hash it signed in with (a session
/// lives only while the reviewer still has that token), and the CSRF token its
/// POSTs must carry.
public struct ReviewSession: Sendable {
    public var reviewerID: Int64
    public var reviewerName: String
    public var tokenHash: String
    public var csrfToken: String
    public var createdAt: Date
}

/// Sessions by cookie value, in memory: restarting `qad review` signs every
/// browser out, and the printed address (or a reviewer's token) signs in again.
/// Expired sessions are dropped when met and swept whenever one opens, so the
/// table holds only live ones.
actor SessionTable {
    private var sessions: [String: ReviewSession] = [:]
    /// Sessions ended because their reviewer lost the token they signed in
    /// with, and when: so every later request of that page still says why.
    private var ended: [String: Date] = [:]
    let lifetime: TimeInterval

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    /// Opens a session and returns its cookie value.
    func open(reviewerID: Int64, name: String, tokenHash: String) -> (cookie: String, session: ReviewSession) {
        purgeExpired()
        let s = ReviewSession(reviewerID: reviewerID, reviewerName: name, tokenHash: tokenHash,
                              csrfToken: Secret.make(), createdAt: Date())
        let cookie = Secret.make()
        sessions[cookie] = s
        return (cookie, s)
    }

    func session(cookie: String) -> ReviewSession? {
        guard let s = sessions[cookie] else { return nil }
        guard Date().timeIntervalSince(s.createdAt) < lifetime else {
            sessions[cookie] = nil
            return nil
        }
        return s
    }

    /// Ends a session; `revoked`: because its reviewer's token was replaced or removed.
    func close(cookie: String, revoked: Bool = false) {
        sessions[cookie] = nil
        if revoked { ended[cookie] = Date() }
    }

    func wasRevoked(cookie: String) -> Bool { ended[cookie] != nil }

    private func purgeExpired() {
        let now = Date()
        sessions = sessions.filter { now.timeIntervalSince($0.value.createdAt) < lifetime }
        ended = ended.filter { now.timeIntervalSince($0.value) < lifetime }
    }
}
