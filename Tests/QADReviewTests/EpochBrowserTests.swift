import Foundation
import Hummingbird
import HummingbirdTesting
import QADCore
import QADPipeline
import QADReview
import QADStore
import QADTestSupport
import Testing

/// The Epochs panel in headless Chromium: RM017's epochs listed, the
/// figure of them all loaded. Outside CI a machine without Chromium skips it.
/// Part of the serialized BrowserTests suite: browsers in two suites at once
/// on two cores stall each other's session start past chromedriver's timeout.
extension BrowserTests {
    @Test func theEpochsPanelListsEveryEpochAndShowsTheFigure() async throws {
        let directory = temporaryDirectory()
        let project = try ProjectStore.open(store: directory, cache: directory)
        _ = try await IngestRunner(project: project, options: IngestOptions(workers: 2)).run(paths: [sharedData("sdss/rm017")])
        let object = try #require(try project.store.spectra().first).targetid
        let count = try project.store.epochs(of: object).count
        try project.store.replaceEpochVariability([EpochVariabilityRecord(
            object: object, epochs: count, restFrameDays: 2700, variability: 4.2, changingLook: "Hβ broad emerged",
            classChange: nil, redshiftConflict: false, localSignificance: 9, localRestLambda: 4861, continuumRatio: 2.5)])
        let token = try ReviewerTokens.issue(store: project.store, name: "ann", isLocal: true)
        var configuration = ReviewConfiguration(project: project, port: 0)
        configuration.host = "127.0.0.1"

        let driver = try #require(try WebDriver.start())
        defer { driver.stop() }
        try await driver.waitUntilReady()
        let app = try buildApplication(configuration)
        try await app.test(.live) { client in try await driver.whileOpen {
            let base = "http://127.0.0.1:\(client.port!)"
            let ann = try await driver.newSession()
            try await ann.go("\(base)/login?token=\(token)")
            try await ann.go("\(base)/#t=\(object)")
            try await ann.refresh()
            let rows = try await ann.waitFor("the epochs panel", """
                const rows = document.querySelectorAll('#epochs tr').length; return rows > 0 ? rows : 0
                """) as? Int
            #expect(rows == count)
            let loaded = try await ann.waitFor("the epochs figure", """
                const img = document.querySelector('#epochs img'); return img && img.complete && img.naturalWidth > 0 ? img.naturalWidth : 0
                """) as? Int
            #expect((loaded ?? 0) >= 600)
            let head = try await ann.run("return document.querySelector('#epochs div').textContent") as? String
            #expect(head == "variability 4.2σ · Hβ broad emerged", "\(head ?? "")")
            try await ann.screenshot(to: testArtifactPath("review-epochs.png"))
        } }
    }
}
