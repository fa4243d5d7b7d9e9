import Crypto
import Foundation
import QADCore
import QADLabels
import QADStore

/// Issues sign-in tokens: a fresh random secret per call, of which the store
/// keeps only the SHA-256. Issuing a token for an existing reviewer ends
/// their previous one, and with it every session it opened.
public enum ReviewerTokens {
    /// `isLocal`: the reviewer `qad review serve` signs in (`--as`). A name
    /// is either the local user's or one added with add-reviewer, never both:
    /// otherwise starting the server could take over another reviewer.
    public static func issue(store: any ReviewStore, name: String, isLocal: Bool) throws -> String {
        let name = try validName(name)
        if let existing = try store.reviewers().first(where: { $0.name == name }), existing.isLocal != isLocal {
            throw LocatedError(existing.isLocal
                ? "\(name) is the reviewer qad review serve signs in (--as \(name)); choose another name for add-reviewer"
                : "\(name) is a reviewer added with add-reviewer; qad review serve --as needs a name of its own")
        }
        let token = Secret.make()
        _ = try store.upsertReviewer(name: name, tokenHash: hash(token), isLocal: isLocal)
        return token
    }

    /// Removes a reviewer: their token stops working and their open sessions
    /// end at their next request. Their labels stay in the log.
    @discardableResult
    public static func remove(store: any ReviewStore, name: String) throws -> ReviewerRecord {
        let name = try validName(name)
        // "removed:" + a random secret: unique (the column is) and never a SHA-256 in hex.
        guard let r = try store.removeReviewer(name: name, unusableHash: "removed:" + Secret.make()) else {
            throw LocatedError("no reviewer named \(name)")
        }
        return r
    }

    /// The name `qad review serve` signs in when `--as` is not given: the
    /// store's local reviewer (the most recent, if several were made), else
    /// "local". The Unix user name is never used: it could be a reviewer's.
    public static func defaultLocalName(store: any ReviewStore) throws -> String {
        try store.reviewers().last(where: { $0.isLocal && $0.removedAt == nil })?.name ?? "local"
    }

    static func validName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64 else {
            throw LocatedError("a reviewer name must have 1 to 64 characters")
        }
        // PostgreSQL text cannot hold NUL; refusing it on every store keeps both alike.
        guard !name.contains("\0") else { throw LocatedError("a reviewer name must not contain a NUL character") }
        return name
    }

    /// The reviewer a token belongs to, if any.
    static func reviewer(store: any ReviewStore, token: String) throws -> ReviewerRecord? {
        // Tokens are 64 hex digits; anything else cannot match and is not hashed.
        guard token.utf8.count == 64, token.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        return try store.reviewer(tokenHash: hash(token))
    }

    /// SHA-256 of a token as 64 lowercase hex digits: what the store keeps.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
