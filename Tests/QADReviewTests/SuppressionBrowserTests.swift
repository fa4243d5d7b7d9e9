import Foundation
import Hummingbird
import HummingbirdTesting
import QADCore
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// "Hide family" in the browser: key h on a candidate shown in the rest frame
/// hides every candidate sharing its strongest rest-frame residual from the
/// queue, the list above the queue shows it, and its undo brings them back.
/// Part of the serialized BrowserTests suite.
extension BrowserTests {
    @Test func hidingAFamilyAndUndoingItInTheBrowser() async throws {
        let driver = try #require(try WebDriver.start())
        defer { driver.stop() }
        try await driver.waitUntilReady()
        let f = try ReviewFixture(spectra: 60)
        let seed = String(try #require(f.summary.anomalies.first))
        let app = try buildApplication(f.configuration)
        try await app.test(.live) { client in try await driver.whileOpen {
            let base = "http://127.0.0.1:\(client.port!)"
            let ann = try await driver.newSession()
            try await ann.go("\(base)/login?token=\(f.tokens["ann"]!)")
            _ = try await ann.waitFor("the first candidate", BrowserTests.ready)
            #expect(try await ann.run(Self.queueCount) as? String ?? "" == "60 candidates, 60 not labelled by me")
            _ = try await ann.run("location.hash = '#t=\(seed)'; return true")
            _ = try await ann.waitFor("the seed", "return document.getElementById('figure').dataset.targetid === '\(seed)'")
            try await ann.press("o")  // the rest frame: the family is where the residual sits in it
            try await ann.press("h")
            let row = try #require(try await ann.waitFor("the hidden family's row", """
                const r = document.querySelector('#suppressions .suppression'); return r ? r.textContent : ''
                """) as? String)
            #expect(row.hasPrefix("hidden: rest "), "\(row)")
            let members = try #require(row.firstMatch(of: /\((\d+)\)/).flatMap { Int($0.1) })
            _ = try await ann.waitFor("the shorter queue",
                                      "return document.getElementById('queue-count').textContent.startsWith('\(60 - members) candidates')")
            let ids = try #require(try await ann.run(Self.queueRows) as? [String])
            #expect(members >= 1 && !ids.contains(seed) && ids.count == 60 - members)
            try await ann.screenshot(to: testArtifactPath("review-hidden-family.png"))

            try await ann.click("#suppressions button")
            _ = try await ann.waitFor("the whole queue again",
                                      "return document.getElementById('queue-count').textContent.startsWith('60 candidates')")
            #expect(try await ann.run("return document.querySelectorAll('#suppressions .suppression').length") as? Int == 0)
            try await ann.go("about:blank")
            let kept = try f.store().suppressions(reviewerId: nil)
            #expect(kept.count == 1 && kept[0].withdrawnAt != nil && String(kept[0].seed) == seed)
        } }
    }
}
