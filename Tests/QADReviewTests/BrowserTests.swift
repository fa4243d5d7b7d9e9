import Foundation
import Hummingbird
import HummingbirdTesting
import QADCore
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// The review UI driven in headless Chromium through chromedriver. Outside CI
/// a machine without Chromium skips these; with CI=true they must run.
@Suite(.serialized, .needs(.chromium)) struct BrowserTests {
    static let ready = "return document.body.dataset.ready === '1' && document.getElementById('figure').dataset.targetid"
    /// Points drawn, and how many sampled canvas pixels are not white.
    static let drawn = """
        const c = document.getElementById('figure');
        const g = c.getContext('2d'); const d = g.getImageData(0, 0, c.width, c.height).data;
        let ink = 0; for (let i = 0; i < d.length; i += 4 * 7) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) ink++;
        return [Number(c.dataset.points || 0), ink];
        """
    static let chosen = "const b = document.querySelector('#classify button.chosen'); return b ? b.dataset.class : ''"

    @Test func signInLabelByKeyMoveOnReloadAndStaySeparate() async throws {
        let driver = try #require(try WebDriver.start())
        defer { driver.stop() }
        trace("chromedriver started")
        try await driver.waitUntilReady()
        trace("chromedriver ready")
        let f = try ReviewFixture(spectra: 30)
        let app = try buildApplication(f.configuration)
        try await app.test(.live) { client in try await driver.whileOpen {
            let base = "http://127.0.0.1:\(client.port!)"
            trace("server on \(base)")
            let ann = try await driver.newSession()
            trace("browser session open")
            let bob = try await driver.newSession()

            // Sign in by the printed address; the first candidate opens and is drawn.
            try await ann.go("\(base)/login?token=\(f.tokens["ann"]!)")
            trace("signing in")
            let first = try #require(try await ann.waitFor("the first candidate", Self.ready) as? String)
            trace("first candidate \(first) drawn")
            #expect(TargetID(first)! >= SyntheticScoredStore.firstTargetID)  // exact digits, not a rounded double
            let ink = try #require(try await ann.run(Self.drawn) as? [Any])
            #expect((ink[0] as? Int ?? 0) > 200, "points drawn: \(ink[0])")
            #expect((ink[1] as? Int ?? 0) > 500, "non-white pixels sampled: \(ink[1])")

            // Label with a key press ("2" = the second class, artifact), then move on with "j".
            try await ann.press("2")
            _ = try await ann.waitFor("the label to be saved", "return document.getElementById('status').textContent.startsWith('saved')")
            #expect(try await ann.run(Self.chosen) as? String == "artifact")
            #expect(try await ann.run("return document.getElementById('queue-count').textContent") as? String
                    == "30 candidates, 29 not labelled by me")
            try await ann.press("j")
            let second = try #require(try await ann.waitFor("the next candidate", """
                const t = document.getElementById('figure').dataset.targetid; return t !== '\(first)' ? t : ''
                """) as? String)
            #expect(second != first)
            try await ann.press("1")
            _ = try await ann.waitFor("the second label", "return document.getElementById('status').textContent.includes('genuine_anomaly')")
            try await ann.screenshot(to: testArtifactPath("review-labelled.png"))
            print("BrowserTests: screenshot at \(testArtifactPath("review-labelled.png"))")

            // Reload on the first candidate: its label is there.
            try await ann.go("\(base)/#t=\(first)")
            try await ann.refresh()
            let reopened = try await ann.waitFor("the reloaded page", Self.ready) as? String
            #expect(reopened == first)
            _ = try await ann.waitFor("the stored label", "return document.querySelector('#classify button.chosen') !== null")
            #expect(try await ann.run(Self.chosen) as? String == "artifact")
            #expect(try await ann.run("return document.getElementById('history').textContent") as? String ?? "" != "")

            // A second reviewer sees none of ann's labels and keeps their own.
            try await bob.go("\(base)/login?token=\(f.tokens["bob"]!)")
            _ = try await bob.waitFor("bob's queue", Self.ready)
            try await bob.go("\(base)/#t=\(first)")
            try await bob.refresh()
            #expect(try await bob.waitFor("bob's view of the first", Self.ready) as? String == first)
            #expect(try await bob.run(Self.chosen) as? String == "")
            try await bob.press("6")
            _ = try await bob.waitFor("bob's label", "return document.getElementById('status').textContent.includes('not_anomalous')")
            try await bob.screenshot(to: testArtifactPath("review-second-reviewer.png"))

            let store = try f.store()
            let reviewers = Dictionary(uniqueKeysWithValues: try store.reviewers().map { ($0.name, $0.id!) })
            let annLabels = try store.currentLabels(reviewerId: reviewers["ann"]!, targetids: nil)
            let bobLabels = try store.currentLabels(reviewerId: reviewers["bob"]!, targetids: nil)
            #expect(Dictionary(uniqueKeysWithValues: annLabels.map { (String($0.targetid), $0.labelClass) })
                    == [first: .artifact, second: .genuineAnomaly])
            #expect(bobLabels.map { String($0.targetid) } == [first])
            #expect(bobLabels.first?.labelClass == .notAnomalous)
            #expect(try store.consensus(targetid: TargetID(first)!)?.reviewers == 2)
            // Closing the sessions ends the browsers; killing chromedriver alone would orphan them.
        } }
    }
}

/// Progress lines on stderr (unbuffered), so a stuck browser step shows where it stopped.
func trace(_ s: String) {
    FileHandle.standardError.write(Data(("BrowserTests: " + s + "\n").utf8))
}
