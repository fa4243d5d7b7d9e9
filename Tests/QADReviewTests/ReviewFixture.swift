import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import QADReview
import QADStore
import QADStoreFixtures
import QADTestSupport
import Testing

/// A small scored store with reviewers and their tokens, and helpers to sign
/// in. The store is a SQLite folder, or the PostgreSQL database `store` names
/// with the cache and models in the folder.
struct ReviewFixture {
    let directory: String
    let project: ProjectStore
    let summary: SyntheticScoredStore.Summary
    let tokens: [String: String]

    init(spectra: Int = 40, reviewers: [String] = ["ann", "bob"], store location: String? = nil) throws {
        directory = temporaryDirectory()
        project = try ProjectStore.open(store: location ?? directory, cache: directory)
        summary = try SyntheticScoredStore.write(project: project, spectra: spectra, spectraWithData: spectra)
        let store: any ReviewStore = project.store
        var tokens: [String: String] = [:]
        for name in reviewers { tokens[name] = try ReviewerTokens.issue(store: store, name: name, isLocal: name == reviewers[0]) }
        self.tokens = tokens
    }

    var configuration: ReviewConfiguration {
        var c = ReviewConfiguration(project: project, port: 0)
        c.host = "127.0.0.1"
        return c
    }

    func store() throws -> any ReviewStore { project.store }
}

/// A signed-in client's cookie and CSRF token.
struct SignedIn {
    var cookie: String
    var csrf: String

    var headers: HTTPFields { [.cookie: "qad_session=\(cookie)"] }

    func postHeaders(csrf sent: String?) -> HTTPFields {
        var h = headers
        h[.contentType] = "application/json"
        if let sent { h[HTTPField.Name("X-CSRF-Token")!] = sent }
        return h
    }
}

func signIn(_ client: some TestClientProtocol, token: String) async throws -> SignedIn {
    let login = try await client.execute(uri: "/login?token=\(token)", method: .get)
    #expect(login.status == .seeOther)
    let setCookie = try #require(login.headers[.setCookie])
    #expect(setCookie.contains("HttpOnly"))
    #expect(setCookie.contains("SameSite=Strict"))
    let cookie = String(try #require(setCookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last))
    let session = try await client.execute(uri: "/api/session", method: .get, headers: [.cookie: "qad_session=\(cookie)"])
    #expect(session.status == .ok)
    let json = try JSONSerialization.jsonObject(with: Data(String(buffer: session.body).utf8)) as! [String: Any]
    return SignedIn(cookie: cookie, csrf: json["csrf"] as! String)
}

func labelBody(_ id: Int64, _ cls: String, notes: String = "", event: String? = nil) -> ByteBuffer {
    var fields = ["\"targetid\":\"\(id)\"", "\"class\":\"\(cls)\"", "\"confidence\":3",
                  "\"notes\":" + String(data: try! JSONSerialization.data(withJSONObject: notes, options: .fragmentsAllowed), encoding: .utf8)!]
    if let event { fields.append("\"client_event_id\":\"\(event)\"") }
    return ByteBuffer(string: "{" + fields.joined(separator: ",") + "}")
}

/// The "history" (the signed-in reviewer's own events) and "others" parts of a candidate document, as text.
func ownHistory(_ candidate: String) -> String {
    guard let a = candidate.range(of: "\"history\":"), let b = candidate.range(of: ",\"others\":") else { return "" }
    return String(candidate[a.upperBound..<b.lowerBound])
}

func others(_ candidate: String) -> String {
    guard let b = candidate.range(of: "\"others\":") else { return "" }
    return String(candidate[b.upperBound...])
}

/// A JSON object response's body.
func jsonObject(_ r: TestResponse) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as! [String: Any]
}
