import Foundation
import Hummingbird
import HummingbirdTesting
import QADCore
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// The relevance order in the browser: labels re-rank the queue at once, the
/// queue says why, and "more like this" lists the spectra most like one.
/// Part of the serialized BrowserTests suite: two browsers with their servers
/// at once on two cores starve each other.
extension BrowserTests {
    static let queueRows = "return Array.from(document.querySelectorAll('#queue-rows tr td:first-child')).map((t) => t.firstChild.textContent)"
    static let queueWhys = "return Array.from(document.querySelectorAll('#queue-rows tr')).map((t) => (t.querySelector('.why') || {}).textContent || '')"
    static let queueCount = "return document.getElementById('queue-count').textContent"

    @Test func labelsReRankTheQueueInTheBrowser() async throws {
        let driver = try #require(try WebDriver.start())
        defer { driver.stop() }
        try await driver.waitUntilReady()
        let f = try ReviewFixture(spectra: 300)
        let app = try buildApplication(f.configuration)
        try await app.test(.live) { client in try await driver.whileOpen {
            let base = "http://127.0.0.1:\(client.port!)"
            let ann = try await driver.newSession()
            try await ann.go("\(base)/login?token=\(f.tokens["ann"]!)")
            _ = try await ann.waitFor("the first candidate", BrowserTests.ready)

            // Order by relevance from my own labels, physics interest.
            _ = try await ann.run("""
                const form = document.getElementById('filters'); form.elements.order.value = 'relevance';
                form.requestSubmit(); return true
                """)
            _ = try await ann.waitFor("the relevance queue", "return document.getElementById('queue-count').textContent.includes('learned from 0 labels')")
            let before = try #require(try await ann.run(Self.queueRows) as? [String])
            #expect(before.count == 200)

            // Three artefacts labelled one after another (key 2), each from the top of the re-ranked queue.
            var labelled: [String] = []
            for k in 1...3 {
                let previous = labelled.last ?? ""
                let id = try #require(try await ann.waitFor("candidate \(k)", """
                    const t = document.body.dataset.ready === '1' && document.getElementById('figure').dataset.targetid;
                    return t && t !== '\(previous)' ? t : ''
                    """) as? String)
                labelled.append(id)
                try await ann.press("2")
                _ = try await ann.waitFor("the queue re-ranked after label \(k)",
                                          "return document.getElementById('queue-count').textContent.includes('learned from \(k) label')")
                let ids = try #require(try await ann.run(Self.queueRows) as? [String])
                #expect(!ids.contains(id), "a labelled candidate is still in the queue")
                try await ann.press("j")
            }
            let after = try #require(try await ann.run(Self.queueRows) as? [String])
            // Not only the labelled ones left: the order itself changed.
            let unlabelledBefore = before.filter { !labelled.contains($0) }
            #expect(Array(after.prefix(20)) != Array(unlabelledBefore.prefix(20)), "the queue did not re-rank")
            let why = try #require(try await ann.run(Self.queueWhys) as? [String])
            // Each row: its relevance, and how many labelled spectra are behind it ("+0.42 ·3"); the tooltip says it in full.
            #expect(why.allSatisfy { Double($0.split(separator: " ")[0]) != nil }, "\(why.prefix(5))")
            #expect(why.contains { $0.contains(" ·") }, "\(why.prefix(5))")
            let title = try await ann.run("return document.querySelector('#queue-rows tr').title") as? String ?? ""
            #expect(title.hasPrefix("relevance ") && title.contains("anomaly quantile"), "\(title)")
            try await ann.screenshot(to: testArtifactPath("review-relevance.png"))

            // More like this (key l): the queue lists the spectra most like the current one, most similar first.
            try await ann.press("l")
            _ = try await ann.waitFor("the similar list", "return document.getElementById('queue-count').textContent.includes('spectra like')")
            let like = try #require(try await ann.run(Self.queueWhys) as? [String])
            let values = like.compactMap { Double($0.dropFirst()) }
            #expect(values.count == like.count && values == values.sorted(by: >), "\(like.prefix(5))")
            #expect(try await ann.run(Self.queueCount) as? String ?? "" == "50 spectra like \(try await ann.run("return document.getElementById('figure').dataset.targetid") as? String ?? "")")

            // Nothing in flight when the server stops: leave the page first.
            try await ann.go("about:blank")

            // The store holds exactly the three labels.
            let store = try f.store()
            let annID = try store.reviewers().first { $0.name == "ann" }!.id!
            #expect(Set(try store.currentLabels(reviewerId: annID, targetids: nil).map { String($0.targetid) }) == Set(labelled))
        } }
    }
}
