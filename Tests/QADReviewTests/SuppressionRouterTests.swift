import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QADCore
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// POST /api/suppress, POST /api/suppress/ID/undo, GET /api/suppressions, and
/// the queue leaving out what the signed-in reviewer suppressed.
@Suite struct SuppressionRouterTests {
    @Test func aHiddenFamilyLeavesTheReviewersQueueUntilUndone() async throws {
        let f = try ReviewFixture(spectra: 80)
        let app = try buildApplication(f.configuration)
        // The fixture's anomalies (every tenth spectrum) share a rest-frame residual at 1500 Å.
        let seed = try #require(f.summary.anomalies.first)
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let bob = try await signIn(client, token: f.tokens["bob"]!)
            func queue(_ who: SignedIn, _ params: String = "") async throws -> (ids: Set<String>, total: Int) {
                let r = try await client.execute(uri: "/api/queue?limit=200&" + params, method: .get, headers: who.headers)
                #expect(r.status == .ok)
                let body = try jsonObject(r)
                return (Set((body["items"] as! [[String: Any]]).map { "\($0["targetid"]!)" }), body["total"] as! Int)
            }
            func suppress(_ who: SignedIn, _ body: String, csrf: String?) async throws -> TestResponse {
                try await client.execute(uri: "/api/suppress", method: .post, headers: who.postHeaders(csrf: csrf),
                                         body: ByteBuffer(string: body))
            }
            let before = try await queue(ann)
            #expect(before.total == 80 && before.ids.contains(String(seed)))

            // Without the CSRF token nothing is stored; bad bodies are refused with the reason.
            #expect(try await suppress(ann, "{\"targetid\":\"\(seed)\",\"frame\":\"rest\"}", csrf: nil).status == .forbidden)
            for (body, status, says) in [("{\"targetid\":\"abc\"}", HTTPResponse.Status.badRequest, "integer"),
                                         ("{\"targetid\":\"\(seed)\",\"frame\":\"sideways\"}", .badRequest, "obs or rest"),
                                         ("{\"targetid\":\"42\"}", .notFound, "no scores"), ("not json", .badRequest, "body")] {
                let r = try await suppress(ann, body, csrf: ann.csrf)
                #expect(r.status == status && String(buffer: r.body).contains(says), "\(body): \(String(buffer: r.body))")
            }
            #expect(try await queue(ann).total == 80)

            let made = try await suppress(ann, "{\"targetid\":\"\(seed)\",\"frame\":\"rest\"}", csrf: ann.csrf)
            #expect(made.status == .created, "\(String(buffer: made.body))")
            let s = try jsonObject(made)
            let members = try #require(s["members"] as? Int)
            #expect(members >= 2 && s["frame"] as? String == "rest" && "\(s["seed"]!)" == String(seed))
            #expect((s["lambda_min"] as! Double) <= 1500 && (s["lambda_max"] as! Double) >= 1500)
            let hidden = try await queue(ann)
            #expect(hidden.total == 80 - members && !hidden.ids.contains(String(seed)))
            // What left is that many spectra, all of them sharing the seed's 1500 Å residual.
            let gone = before.ids.subtracting(hidden.ids)
            #expect(gone.count == members && gone.isSubset(of: Set(f.summary.anomalies.map(String.init))))
            // In the relevance order too; bob's queue is his own.
            #expect(try await queue(ann, "order=relevance").total == 80 - members)
            #expect(try await queue(bob).total == 80)
            let listed = try jsonObject(try await client.execute(uri: "/api/suppressions", method: .get, headers: ann.headers))
            let list = listed["suppressions"] as! [[String: Any]]
            #expect(list.count == 1 && (list[0]["description"] as! String).contains("rest-frame residuals"))
            let bobs = try jsonObject(try await client.execute(uri: "/api/suppressions", method: .get, headers: bob.headers))
            #expect((bobs["suppressions"] as! [Any]).isEmpty)

            // Only ann can undo it; then her queue is whole again and the record stays.
            let id = try #require(s["id"] as? Int)
            let byBob = try await client.execute(uri: "/api/suppress/\(id)/undo", method: .post, headers: bob.postHeaders(csrf: bob.csrf))
            #expect(byBob.status == .notFound)
            let noToken = try await client.execute(uri: "/api/suppress/\(id)/undo", method: .post, headers: ann.postHeaders(csrf: nil))
            #expect(noToken.status == .forbidden)
            let undone = try await client.execute(uri: "/api/suppress/\(id)/undo", method: .post, headers: ann.postHeaders(csrf: ann.csrf))
            let undoneBody = try jsonObject(undone)
            #expect(undone.status == .ok && undoneBody["withdrawn_at"] as? Double != nil)
            #expect(try await queue(ann).total == 80)
            let again = try await client.execute(uri: "/api/suppress/\(id)/undo", method: .post, headers: ann.postHeaders(csrf: ann.csrf))
            #expect(again.status == .notFound)
            let bad = try await client.execute(uri: "/api/suppress/x/undo", method: .post, headers: ann.postHeaders(csrf: ann.csrf))
            #expect(bad.status == .badRequest)
            #expect(try f.store().suppressions(reviewerId: nil).count == 1)
        }
    }
}
