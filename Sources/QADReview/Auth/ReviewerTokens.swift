import Crypto
import Foundation
import QADCore
import QADLabels
import QADStore

/// Issues sign-in tokens: a fresh random secret per call, of which the store
/// keeps only the SHA-256. Issuing a token for an existing reviewer ends
/// their previous one.
public enum ReviewerTokens {
    public static func issue(store: any ReviewStore, name: String, isLocal: Bool) throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64 else {
            throw LocatedError("a reviewer name must have 1 to 64 characters")
        }
        // PostgreSQL text cannot hold NUL; refusing it on every store keeps both alike.
        guard !name.contains("\0") else { throw LocatedError("a reviewer name must not contain a NUL character") }
        let token = Secret.make()
        _ = try store.upsertReviewer(name: name, tokenHash: hash(token), isLocal: isLocal)
        return token
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
