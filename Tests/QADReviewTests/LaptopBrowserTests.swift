import Foundation
import Hummingbird
import HummingbirdTesting
import QADCore
import QADLabels
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// A day of review on a 1280×800 laptop screen, in headless Chromium: what is
/// visible without scrolling, notes that survive moving on, keys that work
/// after the mouse, refused filters that say why, the trial redshift, and a
/// removed reviewer's open page.
/// Part of the serialized BrowserTests suite: two browsers with their servers
/// at once on two cores starve each other.
extension BrowserTests {
    static let enter = "\u{E007}", escape = "\u{E00C}"
    static let current = "return document.getElementById('figure').dataset.targetid"
    static let status = "return document.getElementById('status').textContent"

    @Test func aLaptopReviewSession() async throws {
        let driver = try #require(try WebDriver.start())
        defer { driver.stop() }
        try await driver.waitUntilReady()
        let f = try ReviewFixture(spectra: 30)
        let app = try buildApplication(f.configuration)
        try await app.test(.live) { client in try await driver.whileOpen {
            let base = "http://127.0.0.1:\(client.port!)"
            let ann = try await driver.newSession(windowSize: "1280,800")
            try await ann.go("\(base)/login?token=\(f.tokens["ann"]!)")
            let first = try #require(try await ann.waitFor("the first candidate", BrowserTests.ready) as? String)
            let store = try f.store()
            let annID = try #require(try store.reviewers().first { $0.name == "ann" }?.id)

            // Everything needed to classify is on screen without scrolling.
            let layout = try #require(try await ann.run("""
                const h = window.innerHeight, w = window.innerWidth;
                const inside = (el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= h && r.left >= 0 && r.right <= w && r.height > 0; };
                const buttons = [...document.querySelectorAll('#classify button[data-class]')];
                return [w, h, buttons.length, buttons.every(inside), inside(document.getElementById('figure')),
                        inside(document.querySelector('#classify .hint')), inside(document.getElementById('notes'))];
                """) as? [Any])
            trace("viewport \(layout[0])×\(layout[1])")
            #expect(layout[2] as? Int == LabelClass.allCases.count)
            #expect(layout[3] as? Bool == true, "class buttons visible: \(layout)")
            #expect(layout[4] as? Bool == true && layout[5] as? Bool == true && layout[6] as? Bool == true, "\(layout)")
            trace("laptop: ? opens the key help")
            // "?" opens the key help where it can be seen; Esc closes it.
            try await ann.press("?")
            #expect(try await ann.run("""
                const k = document.getElementById('keys'), r = k.querySelector('.panel').getBoundingClientRect();
                return !k.hidden && r.top >= 0 && r.bottom <= window.innerHeight && r.height > 50
                """) as? Bool == true)
            try await ann.screenshot(to: testArtifactPath("review-1280x800-help.png"))
            try await ann.press(Self.escape)
            #expect(try await ann.run("return document.getElementById('keys').hidden") as? Bool == true)

            trace("laptop: A note typed on an unlabelled")
            // A note typed on an unlabelled candidate survives j and k as its draft, and is stored with the label.
            try await ann.press("n")
            try await ann.type("broad trough?")
            try await ann.press(Self.escape)
            try await ann.press("j")
            let second = try #require(try await ann.waitFor("the second candidate", "const t = document.getElementById('figure').dataset.targetid; return t !== '\(first)' ? t : ''") as? String)
            #expect((try await ann.run(Self.status) as? String ?? "").contains("draft kept"))
            try await ann.press("k")
            _ = try await ann.waitFor("back on the first", "return document.getElementById('figure').dataset.targetid === '\(first)'")
            #expect(try await ann.run("return document.getElementById('notes').value") as? String == "broad trough?")
            #expect(try await ann.run("return document.getElementById('draft').textContent") as? String != "")
            try await ann.press("3")
            _ = try await ann.waitFor("the label", "return document.getElementById('status').textContent.startsWith('saved')")
            #expect(try store.labelHistory(reviewerId: annID, targetid: TargetID(first)!).last?.notes == "broad trough?")
            trace("laptop: On a labelled candidate")
            // On a labelled candidate, a note edited and left with j is stored with that label.
            try await ann.press("n")
            try await ann.type(" and more")
            try await ann.press(Self.escape)
            try await ann.press("j")
            _ = try await ann.waitFor("the note stored on leaving", "return document.getElementById('status').textContent.includes('on leaving')")
            let events = try store.labelHistory(reviewerId: annID, targetid: TargetID(first)!)
            #expect(events.count == 2 && events.last?.notes == "broad trough? and more" && events.last?.labelClass == .knownPhenomenon)
            _ = try await ann.waitFor("the second candidate again", "return document.getElementById('figure').dataset.targetid === '\(second)'")

            trace("laptop: After a select is changed")
            // After a select is changed with the mouse, the keys still work.
            try await ann.click("#smooth option[value='5']")
            try await ann.click("#confidence option[value='3']")
            try await ann.press("2")
            _ = try await ann.waitFor("a label after the selects", "return document.getElementById('status').textContent === 'saved: artifact for \(second)'")
            #expect(try store.labelHistory(reviewerId: annID, targetid: TargetID(second)!).last?.confidence == .high)

            trace("laptop: The trial redshift moves")
            // The trial redshift moves the line markers; "wrong redshift" stores it as the proposed z.
            let before = try #require(try await ann.run("return document.getElementById('figure').dataset.markers") as? String)
            try await ann.press("t")
            try await ann.type("1.5" + Self.enter)
            _ = try await ann.waitFor("the trial z drawn", "return document.getElementById('figure').dataset.markers !== \(jsString(before))")
            let moved = try #require(try await ann.run("return JSON.parse(document.getElementById('figure').dataset.markers)") as? [[String: Any]])
            let was = try #require(try JSONSerialization.jsonObject(with: Data(before.utf8)) as? [[String: Any]])
            let shifted = moved.contains { m in was.contains { $0["name"] as? String == m["name"] as? String && $0["x"] as? Double != m["x"] as? Double } }
                || Set(moved.compactMap { $0["name"] as? String }) != Set(was.compactMap { $0["name"] as? String })
            #expect(shifted, "markers before \(before), after \(moved)")
            try await ann.press("5")
            _ = try await ann.waitFor("the wrong-redshift label", "return document.getElementById('status').textContent.includes('wrong_redshift')")
            #expect(try store.labelHistory(reviewerId: annID, targetid: TargetID(second)!).last?.proposedZ == 1.5)
            trace("laptop: Absorber markers")
            // Absorber markers add lines; the legend is drawn either way.
            let count = try await ann.run("return JSON.parse(document.getElementById('figure').dataset.markers).length") as? Int ?? 0
            try await ann.press("b")
            _ = try await ann.waitFor("absorber markers", "return JSON.parse(document.getElementById('figure').dataset.markers).length > \(count)")
            try await ann.screenshot(to: testArtifactPath("review-1280x800-trial-z.png"))

            trace("laptop: A refused filter")
            // A refused filter shows its message on the page.
            try await ann.click("input[name='z_min']")
            try await ann.type("abc")
            try await ann.click("#filters button[type='submit']")
            let refused = try await ann.waitFor("the filter's message", "return document.getElementById('filter-error').textContent") as? String
            #expect(refused?.contains("z_min=abc is not a number") == true, "\(refused ?? "")")

            trace("laptop: Auto-advance")
            // Auto-advance: a class key opens the next candidate.
            try await ann.click("#auto-advance")
            let at = try await ann.run(Self.current) as? String
            try await ann.press("6")
            _ = try await ann.waitFor("the next candidate after labelling", "return document.getElementById('figure').dataset.targetid !== '\(at ?? "")'")

            trace("laptop: A removed reviewer")
            // A removed reviewer's open page gets 401 at its next request, and says so.
            let bob = try await driver.newSession(windowSize: "1280,800")
            try await bob.go("\(base)/login?token=\(f.tokens["bob"]!)")
            _ = try await bob.waitFor("bob's queue", BrowserTests.ready)
            try ReviewerTokens.remove(store: store, name: "bob")
            #expect(try await bob.run("return fetch('/api/queue').then((r) => r.status)") as? Int == 401)
            try await bob.press("1")
            let message = try await bob.waitFor("bob's refusal", "return document.getElementById('status').textContent.includes('session has ended') ? document.getElementById('status').textContent : ''") as? String
            #expect(message?.hasPrefix("not saved") == true)
            #expect(try store.labelHistory(reviewerId: nil, targetid: nil).allSatisfy { $0.reviewerId == annID })
        } }
    }
}

/// A JavaScript string literal of `s`.
func jsString(_ s: String) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: s, options: .fragmentsAllowed), encoding: .utf8)!
}
