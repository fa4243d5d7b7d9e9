import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import QADCore
import QADDetect
import QADReview
import QADStore
import QADStoreFixtures
import QADTestSupport
import Testing

@Suite struct ReviewRouterTests {
    @Test func signInOpensTheQueueAndTheCandidateWithExactTargetIDs() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let page = try await client.execute(uri: "/", method: .get, headers: ann.headers)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("<meta name=\"csrf-token\" content=\"\(ann.csrf)\">"))
            #expect(html.contains("/static/app.js"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)

            let queue = try await client.execute(uri: "/api/queue?limit=5", method: .get, headers: ann.headers)
            #expect(queue.status == .ok)
            let qtext = String(buffer: queue.body)
            // The highest score comes first and TARGETIDs are written digit for digit.
            let json = try JSONSerialization.jsonObject(with: Data(qtext.utf8)) as! [String: Any]
            #expect(json["total"] as? Int == 40)
            let items = json["items"] as! [[String: Any]]
            #expect(items.count == 5)
            let scores = items.map { $0["score"] as! Double }
            #expect(scores == scores.sorted(by: >))
            let idText = try #require(qtext.firstRange(of: "\"targetid\":").map { qtext[$0.upperBound...].prefix(17) })
            #expect(TargetID(idText) != nil && TargetID(idText)! >= SyntheticScoredStore.firstTargetID)

            let id = TargetID(idText)!
            let cand = try await client.execute(uri: "/api/candidate/\(id)", method: .get, headers: ann.headers)
            #expect(cand.status == .ok)
            let ctext = String(buffer: cand.body)
            #expect(ctext.hasPrefix("{\"targetid\":\(id),"))
            let c = try JSONSerialization.jsonObject(with: Data(ctext.utf8)) as! [String: Any]
            let spectrum = c["spectrum"] as! [String: Any]
            #expect((spectrum["flux"] as! [Any]).count > 100)
            #expect((c["scores"] as! [Any]).count == ScoreName.allCases.count)
            #expect((c["neighbors"] as! [Any]).count == 5)
            #expect(ctext.contains("\"crossmatches\":null"))

            let missing = try await client.execute(uri: "/api/candidate/12", method: .get, headers: ann.headers)
            #expect(missing.status == .notFound)
            let bad = try await client.execute(uri: "/api/queue?bal=sometimes", method: .get, headers: ann.headers)
            #expect(bad.status == .badRequest)
            // Out-of-range or fractional counts are refused with a message,
            // and the server keeps serving (1e20 once trapped converting to Int).
            for query in ["offset=1e20", "limit=1e20", "offset=99999999999999999999", "offset=-1", "limit=0",
                          "limit=2.5", "offset=abc"] {
                let r = try await client.execute(uri: "/api/queue?" + query, method: .get, headers: ann.headers)
                #expect(r.status == .badRequest, "\(query) → \(r.status)")
                #expect(String(buffer: r.body).contains("whole number"), "\(query): \(String(buffer: r.body))")
            }
            let still = try await client.execute(uri: "/api/queue?limit=5&offset=1", method: .get, headers: ann.headers)
            #expect(still.status == .ok)
        }
    }

    @Test func unknownTokensAndMissingSessionsGet401() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        try await app.test(.router) { client in
            let wrong = try await client.execute(uri: "/login?token=\(String(repeating: "ab", count: 32))", method: .get)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            let garbage = try await client.execute(uri: "/login?token=../../etc", method: .get)
            #expect(garbage.status == .unauthorized)
            // A valid token in a sign-in another site started is refused (login CSRF);
            // typed, or followed from qad's own pages, it signs in.
            let token = f.tokens["ann"]!
            for site in ["cross-site", "same-site"] {
                let r = try await client.execute(uri: "/login?token=\(token)", method: .get,
                                                 headers: [HTTPField.Name("Sec-Fetch-Site")!: site])
                #expect(r.status == .forbidden && r.headers[.setCookie] == nil, "\(site) → \(r.status)")
            }
            for site in ["none", "same-origin"] {
                let r = try await client.execute(uri: "/login?token=\(token)", method: .get,
                                                 headers: [HTTPField.Name("Sec-Fetch-Site")!: site])
                #expect(r.status == .seeOther && r.headers[.setCookie] != nil, "\(site) → \(r.status)")
            }
            for path in ["/", "/api/queue", "/api/candidate/\(f.summary.firstTargetID)", "/consensus", "/labels"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .unauthorized, "\(path)")
            }
            let forged = try await client.execute(uri: "/api/queue", method: .get, headers: [.cookie: "qad_session=forged"])
            #expect(forged.status == .unauthorized)
        }
    }

    @Test func postsWithoutTheCSRFTokenAreRefused() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            for sent in [nil, "", String(repeating: "0", count: 64)] as [String?] {
                let r = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: sent),
                                                 body: labelBody(id, "artifact"))
                #expect(r.status == .forbidden)
            }
            // Another session's token does not work either.
            let bob = try await signIn(client, token: f.tokens["bob"]!)
            let crossed = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: bob.csrf),
                                                   body: labelBody(id, "artifact"))
            #expect(crossed.status == .forbidden)
            #expect(try f.store().labelEventCount() == 0)
            let ok = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                              body: labelBody(id, "artifact"))
            #expect(ok.status == .ok)
            #expect(String(buffer: ok.body).contains("\"targetid\":\(id)"))
            #expect(try f.store().labelEventCount() == 1)
        }
    }

    @Test func notesAreShownInert() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        let note = "<script>alert('x')</script> & \"quoted\""
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let r = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                             body: labelBody(id, "unsure", notes: note))
            #expect(r.status == .ok)
            // In JSON, '<' is escaped, so the payload cannot close a tag anywhere.
            #expect(!String(buffer: r.body).contains("<script>"))
            let page = try await client.execute(uri: "/labels", method: .get, headers: ann.headers)
            let html = String(buffer: page.body)
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
            let cand = try await client.execute(uri: "/api/candidate/\(id)", method: .get, headers: ann.headers)
            #expect(String(buffer: cand.body).contains("\\u003cscript>alert"))
        }
    }

    @Test func pathsOutsideTheStaticFolderAreRefused() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        try await app.test(.router) { client in
            let js = try await client.execute(uri: "/static/app.js", method: .get)
            #expect(js.status == .ok)
            #expect(js.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(String(buffer: js.body).contains("parseExact"))
            for path in ["/static/../Package.swift", "/static/..%2f..%2fPackage.swift", "/static/%2e%2e/%2e%2e/etc/passwd",
                         "/static/../../../../etc/passwd", "/static/.hidden", "/static/a/..%5c..%5cetc"] {
                let r = try await client.execute(uri: path, method: .get)
                // Only the embedded files' names exist: anything else is refused, never read from disk.
                #expect([.badRequest, .forbidden, .notFound].contains(r.status), "\(path) → \(r.status)")
                #expect(!String(buffer: r.body).contains("root:"), "\(path)")
                #expect(!String(buffer: r.body).contains("PackageDescription"), "\(path)")
            }
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            // The embedded script is the Static folder's file, byte for byte.
            let source = try String(contentsOf: packageRoot.appendingPathComponent("Sources/QADReview/Static/app.js"), encoding: .utf8)
            #expect(String(buffer: js.body) == source)
        }
    }

    /// The same decision twice in a row (a class key pressed twice) is
    /// stored once; a changed note, another class, or going back to an
    /// earlier class is a new event.
    @Test func aRepeatedDecisionIsStoredOnce() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let before = try f.store().labelEventCount()
            var ids: [Int] = []
            for (cls, notes) in [("artifact", ""), ("artifact", ""), ("artifact", "dead fibre"), ("unsure", ""),
                                 ("artifact", "dead fibre")] {
                let r = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                                 body: labelBody(id, cls, notes: notes))
                #expect(r.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as! [String: Any]
                ids.append(body["event"] as! Int)
            }
            #expect(ids[1] == ids[0] && Set(ids).count == 4, "\(ids)")
            #expect(try f.store().labelEventCount() == before + 4)
        }
    }

    @Test func eachReviewerSeesOnlyTheirOwnLabelsAndConsensusCountsBoth() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let bob = try await signIn(client, token: f.tokens["bob"]!)
            for (who, cls) in [(ann, "unsure"), (ann, "artifact"), (bob, "genuine_anomaly")] {
                let r = try await client.execute(uri: "/api/label", method: .post, headers: who.postHeaders(csrf: who.csrf),
                                                 body: labelBody(id, cls))
                #expect(r.status == .ok)
            }
            let annView = String(buffer: try await client.execute(uri: "/api/candidate/\(id)", method: .get, headers: ann.headers).body)
            let bobView = String(buffer: try await client.execute(uri: "/api/candidate/\(id)", method: .get, headers: bob.headers).body)
            // Each reviewer's own history holds only their events; the others' arrive named, beside it.
            #expect(ownHistory(annView).contains("\"class\":\"artifact\"") && ownHistory(annView).contains("\"class\":\"unsure\""))
            #expect(!ownHistory(annView).contains("genuine_anomaly") && others(annView).contains("\"reviewer\":\"bob\""))
            #expect(ownHistory(bobView).contains("\"class\":\"genuine_anomaly\"") && !ownHistory(bobView).contains("\"class\":\"artifact\""))
            // "Unlabelled by me first": ann's labelled target moves to the end of her queue only.
            let annQueue = String(buffer: try await client.execute(uri: "/api/queue?limit=1", method: .get, headers: ann.headers).body)
            #expect(!annQueue.contains("\"targetid\":\(id),"))
            #expect(annQueue.contains("\"unlabelled\":39"))
            // The labelled target closes ann's queue, marked as hers; in plain score order it sits at its rank.
            let whole = String(buffer: try await client.execute(uri: "/api/queue?limit=40", method: .get, headers: ann.headers).body)
            let last = whole.split(separator: "{").last!
            #expect(last.contains("\"targetid\":\(id),") && last.contains("\"mine\":\"artifact\""))
            let plain = try await client.execute(uri: "/api/queue?limit=40&unlabelled_first=0", method: .get, headers: ann.headers)
            let items = (try JSONSerialization.jsonObject(with: Data(String(buffer: plain.body).utf8)) as! [String: Any])["items"]
                as! [[String: Any]]
            let scores = items.map { $0["score"] as! Double }
            #expect(scores == scores.sorted(by: >) && items.count == 40)
            let bobQueue = String(buffer: try await client.execute(uri: "/api/queue?limit=40", method: .get, headers: bob.headers).body)
            #expect(bobQueue.contains("\"unlabelled\":39"))
            #expect(!bobQueue.contains("\"mine\":\"artifact\""))
            let consensus = String(buffer: try await client.execute(uri: "/consensus", method: .get, headers: ann.headers).body)
            #expect(consensus.contains("<td class=\"mono\"><a href=\"/#t=\(id)\">\(id)</a></td><td>Unsure (tie)</td><td>2</td><td>50%</td>"))
            #expect(try f.store().labelEventCount() == 3)
        }
    }

    @Test func figuresAreServedAsSVGAndPNG() async throws {
        let f = try ReviewFixture()
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let svg = try await client.execute(uri: "/figure/\(id).svg?frame=rest&smooth=3", method: .get, headers: ann.headers)
            #expect(svg.status == .ok)
            #expect(String(buffer: svg.body).contains("<polyline"))
            let png = try await client.execute(uri: "/figure/\(id).png?thumb=1", method: .get, headers: ann.headers)
            #expect(png.status == .ok)
            #expect(Array(png.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        }
    }

    @Test func tokenHashesAreSHA256InHex() {
        #expect(ReviewerTokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ReviewerTokens.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ReviewerTokens.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
