import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import QADCore
import QADReview
import QADStore
import QADTestSupport
import Testing

/// The review app on a shared PostgreSQL store (cache and models in a folder),
/// as `qad review --store postgres://… --cache DIR` serves it.
@Suite struct PostgresReviewTests {
    @Test(.needs(.postgres)) func reviewersSignInLabelAndReadBackOnPostgreSQL() async throws {
        let cluster = try PostgresCluster.required()
        let f = try ReviewFixture(store: try cluster.makeDatabase())
        #expect(f.project.store is PostgresStore)
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        let note = "it's <b>odd</b>'); DELETE FROM label_event; --"
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            let bob = try await signIn(client, token: f.tokens["bob"]!)

            let queue = try await client.execute(uri: "/api/queue?limit=5", method: .get, headers: ann.headers)
            #expect(queue.status == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(String(buffer: queue.body).utf8)) as! [String: Any]
            #expect(json["total"] as? Int == 40)
            let scores = (json["items"] as! [[String: Any]]).map { $0["score"] as! Double }
            #expect(scores.count == 5 && scores == scores.sorted(by: >))

            // ann changes her mind (the second POST retried once), bob disagrees.
            for (who, cls, event) in [(ann, "unsure", "e1"), (ann, "artifact", "e2"), (ann, "artifact", "e2"),
                                      (bob, "genuine_anomaly", "e1")] {
                let r = try await client.execute(uri: "/api/label", method: .post, headers: who.postHeaders(csrf: who.csrf),
                                                 body: labelBody(id, cls, notes: note, event: event))
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("\"targetid\":\(id)"))
            }
            // Text PostgreSQL cannot hold is refused as a bad request, not a server error.
            let nul = try await client.execute(uri: "/api/label", method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                               body: labelBody(id, "unsure", notes: "a\u{0}b"))
            #expect(nul.status == .badRequest)
            #expect(try f.store().labelEventCount() == 3)

            let annView = String(buffer: try await client.execute(uri: "/api/candidate/\(id)", method: .get, headers: ann.headers).body)
            #expect(annView.hasPrefix("{\"targetid\":\(id),"))
            #expect(annView.contains("\"class\":\"artifact\"") && annView.contains("\"class\":\"unsure\""))
            // bob's label reaches ann only as another reviewer's, never in her own history.
            #expect(!ownHistory(annView).contains("genuine_anomaly") && others(annView).contains("genuine_anomaly"))
            let annQueue = String(buffer: try await client.execute(uri: "/api/queue?limit=40", method: .get, headers: ann.headers).body)
            #expect(annQueue.contains("\"unlabelled\":39"))
            let last = annQueue.split(separator: "{").last!
            #expect(last.contains("\"targetid\":\(id),") && last.contains("\"mine\":\"artifact\""))

            let labels = String(buffer: try await client.execute(uri: "/labels", method: .get, headers: ann.headers).body)
            #expect(labels.contains("it&#39;s &lt;b&gt;odd&lt;/b&gt;&#39;); DELETE FROM label_event; --"))
            let consensus = String(buffer: try await client.execute(uri: "/consensus", method: .get, headers: bob.headers).body)
            #expect(consensus.contains("<td class=\"mono\"><a href=\"/#t=\(id)\">\(id)</a></td><td>Unsure (tie)</td><td>2</td><td>50%</td>"))

            let svg = try await client.execute(uri: "/figure/\(id).svg?frame=rest", method: .get, headers: ann.headers)
            #expect(svg.status == .ok && String(buffer: svg.body).contains("<polyline"))
        }
        let stored = try f.store().labelHistory(reviewerId: nil, targetid: id)
        #expect(stored.map(\.labelClass) == [.unsure, .artifact, .genuineAnomaly])
        #expect(stored.allSatisfy { $0.notes == note })
    }
}
