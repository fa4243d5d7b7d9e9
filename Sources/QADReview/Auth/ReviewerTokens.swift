import Foundation
import QADStore

/// Issues sign-in tokens: a fresh random secret per call, of which the store
/// keeps only the SHA-256. Issuing a token for an existing reviewer ends
/// their previous one.
public enum ReviewerTokens {
    public static func issue(store: any ReviewStore, name: String, isLocal: Bool) throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64 else {
            throw StoreError("a reviewer name must have 1 to 64 characters")
        }
        // PostgreSQL text cannot hold NUL; refusing it on every store keeps both alike.
        guard !name.contains("\0") else { throw StoreError("a reviewer name must not contain a NUL character") }
        let token = Secret.make()
        _ = try store.upsertReviewer(name: name, tokenHash: SHA256.hex(token), isLocal: isLocal)
        return token
    }

    /// The reviewer a token belongs to, if any.
    static func reviewer(store: any ReviewStore, token: String) throws -> ReviewerRecord? {
        // Tokens are 64 hex digits; anything else cannot match and is not hashed.
        guard token.utf8.count == 64, token.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        return try store.reviewer(tokenHash: SHA256.hex(token))
    }
}
