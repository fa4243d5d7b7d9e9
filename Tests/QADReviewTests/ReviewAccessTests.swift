import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import QADCore
import QADLabels
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// Access that can be taken away: a new token or removal ends open sessions
/// at their next request, sign-out ends one, the local user is a reviewer of
/// its own, and cookies can be marked Secure.
@Suite struct ReviewAccessTests {
    @Test func aReplacedTokenOrARemovedReviewerEndsOpenSessionsAtTheirNextRequest() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let bob = try await signIn(client, token: f.tokens["bob"]!)
            // bob's token is re-issued: his open session ends, ann's does not.
            let newBob = try ReviewerTokens.issue(store: f.store(), name: "bob", isLocal: false)
            let ended = try await client.execute(uri: "/api/queue", method: .get, headers: bob.headers)
            #expect(ended.status == .unauthorized)
            #expect(String(buffer: ended.body).contains("session has ended"))
            let label = try await client.execute(uri: "/api/label", method: .post, headers: bob.postHeaders(csrf: bob.csrf),
                                                 body: labelBody(id, "artifact"))
            #expect(label.status == .unauthorized)
            #expect(try f.store().labelEventCount() == 0)
            #expect(try await client.execute(uri: "/api/queue", method: .get, headers: ann.headers).status == .ok)
            let oldToken = try await client.execute(uri: "/login?token=\(f.tokens["bob"]!)", method: .get)
            #expect(oldToken.status == .unauthorized)
            // The new token works until bob is removed; then neither his session nor the token does.
            let bob2 = try await signIn(client, token: newBob)
            try ReviewerTokens.remove(store: f.store(), name: "bob")
            for path in ["/api/queue", "/", "/consensus"] {
                let r = try await client.execute(uri: path, method: .get, headers: bob2.headers)
                #expect(r.status == .unauthorized, "\(path)")
            }
            #expect(try await client.execute(uri: "/login?token=\(newBob)", method: .get).status == .unauthorized)
            #expect(try f.store().reviewers().first { $0.name == "bob" }?.removedAt != nil)
            // Adding bob again restores access with a fresh token; his labels and name are kept.
            let again = try ReviewerTokens.issue(store: f.store(), name: "bob", isLocal: false)
            _ = try await signIn(client, token: again)
            #expect(try f.store().reviewers().filter { $0.name == "bob" }.count == 1)
        }
    }

    @Test func signOutEndsTheSessionAndNeedsItsCSRFToken() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let page = String(buffer: try await client.execute(uri: "/labels", method: .get, headers: ann.headers).body)
            #expect(page.contains("action=\"/logout\"") && page.contains("name=\"csrf\" value=\"\(ann.csrf)\""))
            var form = ann.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            for wrong in ["", "csrf=", "csrf=" + String(repeating: "0", count: 64)] {
                let r = try await client.execute(uri: "/logout", method: .post, headers: form, body: ByteBuffer(string: wrong))
                #expect(r.status == .forbidden, "\(wrong)")
            }
            #expect(try await client.execute(uri: "/api/queue", method: .get, headers: ann.headers).status == .ok)
            let out = try await client.execute(uri: "/logout", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(ann.csrf)"))
            #expect(out.status == .ok)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.execute(uri: "/api/queue", method: .get, headers: ann.headers).status == .unauthorized)
        }
    }

    @Test func theLocalUserIsAReviewerOfItsOwn() throws {
        let f = try ReviewFixture(reviewers: ["ann", "bob"])  // ann is the local reviewer, bob was added
        let store = try f.store()
        // serve --as bob would take bob over: refused, naming why.
        #expect(throws: LocatedError.self) { try ReviewerTokens.issue(store: store, name: "bob", isLocal: true) }
        // add-reviewer ann would turn the local reviewer into an added one: refused too.
        #expect(throws: LocatedError.self) { try ReviewerTokens.issue(store: store, name: "ann", isLocal: false) }
        #expect(try ReviewerTokens.defaultLocalName(store: store) == "ann")
        let empty = try ReviewFixture(reviewers: [])
        #expect(try ReviewerTokens.defaultLocalName(store: empty.store()) == "local")
        // The Unix user's name plays no part, even when it equals a reviewer's.
        let unixName = ProcessInfo.processInfo.environment["USER"] ?? "root"
        let g = try ReviewFixture(reviewers: ["someone", unixName])
        #expect(try ReviewerTokens.defaultLocalName(store: g.store()) == "someone")
        #expect(throws: LocatedError.self) { try ReviewerTokens.remove(store: store, name: "nobody") }
    }

    @Test func secureCookiesAndSessionLifetimeAreConfigurable() async throws {
        let f = try ReviewFixture()
        var configuration = f.configuration
        configuration.secureCookies = true
        configuration.sessionLifetime = 3600
        let app = try buildApplication(configuration)
        try await app.test(.router) { client in
            let login = try await client.execute(uri: "/login?token=\(f.tokens["ann"]!)", method: .get)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("Max-Age=3600"), "\(cookie)")
        }
        let plain = try buildApplication(f.configuration)
        try await plain.test(.router) { client in
            let login = try await client.execute(uri: "/login?token=\(f.tokens["ann"]!)", method: .get)
            #expect(login.headers[.setCookie]?.contains("Secure") == false)
        }
    }

    @Test func aWrongRedshiftLabelCarriesTheProposedRedshift() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let body = "{\"targetid\":\"\(id)\",\"class\":\"wrong_redshift\",\"proposed_z\":1.234}"
            let r = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                             body: ByteBuffer(string: body))
            #expect(r.status == .ok)
            #expect(String(buffer: r.body).contains("\"proposed_z\":1.234"))
            #expect(try f.store().labelHistory(reviewerId: nil, targetid: id).last?.proposedZ == 1.234)
            for bad in ["0", "-1", "12", "1e300", "\"x\""] {
                let b = "{\"targetid\":\"\(id)\",\"class\":\"wrong_redshift\",\"proposed_z\":\(bad)}"
                let refused = try await client.execute(uri: "/api/label", method: .post,
                                                       headers: ann.postHeaders(csrf: ann.csrf), body: ByteBuffer(string: b))
                #expect(refused.status == .badRequest, "\(bad)")
            }
            #expect(try f.store().labelEventCount() == 1)
        }
    }

    @Test func reviewersSeeEachOthersNotesAndConsensusLinksAndFiltersDisagreements() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let a = f.summary.firstTargetID, b = a + 1
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let bob = try await signIn(client, token: f.tokens["bob"]!)
            for (who, id, cls, note) in [(ann, a, "artifact", "sky residual"), (bob, a, "genuine_anomaly", "odd CIV"),
                                         (ann, b, "unsure", ""), (bob, b, "unsure", "")] {
                let r = try await client.execute(uri: "/api/label", method: .post, headers: who.postHeaders(csrf: who.csrf),
                                                 body: labelBody(id, cls, notes: note))
                #expect(r.status == .ok)
            }
            let view = try await client.execute(uri: "/api/candidate/\(a)", method: .get, headers: ann.headers)
            let json = try JSONSerialization.jsonObject(with: Data(String(buffer: view.body).utf8)) as! [String: Any]
            let others = try #require(json["others"] as? [[String: Any]])
            #expect(others.count == 1 && others[0]["reviewer"] as? String == "bob" && others[0]["notes"] as? String == "odd CIV")
            #expect((json["history"] as? [[String: Any]])?.first?["notes"] as? String == "sky residual")
            let all = String(buffer: try await client.execute(uri: "/consensus", method: .get, headers: ann.headers).body)
            #expect(all.contains("<a href=\"/#t=\(a)\">\(a)</a>") && all.contains("<a href=\"/#t=\(b)\">\(b)</a>"))
            let split = String(buffer: try await client.execute(uri: "/consensus?disagreements=1", method: .get,
                                                                 headers: ann.headers).body)
            #expect(split.contains("<a href=\"/#t=\(a)\">") && !split.contains("<a href=\"/#t=\(b)\">"))
            let bad = try await client.execute(uri: "/consensus?disagreements=%3Cb%3E", method: .get, headers: ann.headers)
            #expect(bad.status == .badRequest && !String(buffer: bad.body).contains("<b>"))
            let mine = String(buffer: try await client.execute(uri: "/labels", method: .get, headers: ann.headers).body)
            #expect(mine.contains("<a href=\"/#t=\(a)\">"))
        }
    }

    @Test func perArmPixelsNameTheFileThatCannotBeRead() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let source = try #require(try f.project.store.spectrum(id)).sourceFile
            let r = try await client.execute(uri: "/api/arms/\(id)", method: .get, headers: ann.headers)
            #expect(r.status == .notFound)
            #expect(String(buffer: r.body).contains(source), "\(String(buffer: r.body))")
            #expect(try await client.execute(uri: "/api/arms/12", method: .get, headers: ann.headers).status == .notFound)
            #expect(try await client.execute(uri: "/api/arms/x", method: .get, headers: ann.headers).status == .badRequest)
            // The redrock model says why it cannot be drawn: no template folder, or no redrock file beside the source.
            let rr = try await client.execute(uri: "/api/redrock/\(id)", method: .get, headers: ann.headers)
            #expect(rr.status == .notFound)
            let why = String(buffer: rr.body)
            #expect(why.contains("redrock-templates") || why.contains("no redrock file beside"), "\(why)")
        }
    }
}
