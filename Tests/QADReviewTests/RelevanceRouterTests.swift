import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QADCore
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// GET /api/queue?order=relevance and GET /api/similar/ID.
@Suite struct RelevanceRouterTests {
    @Test func theRelevanceQueueFollowsWhoseLabelsAndSaysWhy() async throws {
        let f = try ReviewFixture(spectra: 120)
        let app = try buildApplication(f.configuration)
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let bob = try await signIn(client, token: f.tokens["bob"]!)
            func queue(_ who: SignedIn, _ params: String) async throws -> (ids: [String], body: [String: Any]) {
                let r = try await client.execute(uri: "/api/queue?order=relevance&limit=40&" + params, method: .get, headers: who.headers)
                #expect(r.status == .ok, "\(params): \(String(buffer: r.body))")
                let body = try jsonObject(r)
                return ((body["items"] as! [[String: Any]]).map { "\($0["targetid"]!)" }, body)
            }
            let start = try await queue(ann, "relevance=me")
            #expect(start.body["labels"] as? Int == 0 && start.body["total"] as? Int == 120)
            // With no labels the relevance order is the score order.
            let byScore = try jsonObject(try await client.execute(uri: "/api/queue?limit=40&unlabelled_first=0", method: .get, headers: ann.headers))
            #expect(start.ids == (byScore["items"] as! [[String: Any]]).map { "\($0["targetid"]!)" })

            // ann labels four: her queue leaves them out and re-ranks; bob's own queue does not move.
            for (i, id) in start.ids.prefix(4).enumerated() {
                let body = "{\"targetid\":\"\(id)\",\"class\":\"\(i % 2 == 0 ? "artifact" : "not_anomalous")\"}"
                let r = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                                 body: ByteBuffer(string: body))
                #expect(r.status == .ok)
            }
            let mine = try await queue(ann, "relevance=me")
            #expect(mine.body["labels"] as? Int == 4 && mine.body["total"] as? Int == 116)
            #expect(Set(mine.ids).isDisjoint(with: start.ids.prefix(4)))
            #expect(mine.ids != Array(start.ids.dropFirst(4).prefix(40)), "the order did not change")
            let items = mine.body["items"] as! [[String: Any]]
            #expect(items.allSatisfy { $0["relevance"] is Double && $0["novelty"] is Double && $0["queue_key"] is Double })
            let keys = items.map { $0["queue_key"] as! Double }
            #expect(keys == keys.sorted(by: >))
            #expect(items.contains { !($0["because"] as! [Any]).isEmpty })
            #expect(try await queue(bob, "relevance=me").ids == start.ids)
            // The team's queue learns from ann's labels too; the instrument map turns artefacts into wanted ones.
            let team = try await queue(bob, "relevance=team")
            #expect(team.body["labels"] as? Int == 4 && Set(team.ids).isDisjoint(with: start.ids.prefix(4)))
            #expect(try await queue(bob, "relevance=team&map=instrument").ids != team.ids)

            for (params, says) in [("order=relevant", "order=relevant"), ("order=relevance&relevance=bob", "team or me"),
                                   ("order=relevance&map=cosmology", "physics or instrument")] {
                let r = try await client.execute(uri: "/api/queue?" + params, method: .get, headers: ann.headers)
                #expect(r.status == .badRequest && String(buffer: r.body).contains(says), "\(params)")
            }

            // More like this: most similar first, never itself; bad and unknown ids refused.
            let origin = start.ids[10]
            let like = try jsonObject(try await client.execute(uri: "/api/similar/\(origin)?limit=12", method: .get, headers: ann.headers))
            let similar = (like["items"] as! [[String: Any]])
            #expect(similar.count == 12 && "\(like["like"]!)" == origin)
            #expect(!similar.contains { "\($0["targetid"]!)" == origin })
            let values = similar.map { $0["similarity"] as! Double }
            #expect(values == values.sorted(by: >))
            #expect(try await client.execute(uri: "/api/similar/abc", method: .get, headers: ann.headers).status == .badRequest)
            #expect(try await client.execute(uri: "/api/similar/12", method: .get, headers: ann.headers).status == .notFound)
        }
    }
}
