import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QADCore
import QADPipeline
import QADReview
import QADStore
import QADTestSupport
import Testing

/// The review app shows an object's repeat epochs: the candidate's epoch
/// list and variability, and the figure of the epochs overlaid.
@Suite struct EpochReviewTests {
    @Test func aCandidateWithRepeatEpochsShowsThemAll() async throws {
        let directory = temporaryDirectory()
        let project = try ProjectStore.open(store: directory, cache: directory)
        let runner = try IngestRunner(project: project, options: IngestOptions(workers: 2))
        let summary = try await runner.run(paths: [sharedData("sdss/rm017"), sharedData("sdss/picca/3655")])
        let object = try #require(try project.store.epochs().first { $0.spectrum.sourceFile.contains("rm017") }).object
        let epochs = try project.store.epochs(of: object)
        #expect(epochs.count >= 10 && summary.epochs.repeated >= 1)
        let single = try #require(try project.store.spectra().first { try project.store.epochs(of: $0.targetid).count == 1 })
        try project.store.replaceEpochVariability([EpochVariabilityRecord(
            object: object, epochs: epochs.count, restFrameDays: 2700, variability: 4.2, changingLook: "Hβ broad emerged",
            classChange: nil, redshiftConflict: false, localSignificance: 9, localRestLambda: 4861, continuumRatio: 2.5)])
        let token = try ReviewerTokens.issue(store: project.store, name: "ann", isLocal: true)
        var configuration = ReviewConfiguration(project: project, port: 0)
        configuration.host = "127.0.0.1"
        let app = try buildApplication(configuration)
        try await app.test(.router) { client in
            let ann = try await signIn(client, token: token)
            let svg = try await client.execute(uri: "/figure/epochs/\(object).svg?smooth=3", method: .get, headers: ann.headers)
            #expect(svg.status == .ok)
            let text = String(buffer: svg.body)
            #expect(text.contains("\(epochs.count) epochs") && text.contains("MJD 52762"))
            let png = try await client.execute(uri: "/figure/epochs/\(object).png", method: .get, headers: ann.headers)
            #expect(Array(png.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            let none = try await client.execute(uri: "/figure/epochs/\(single.targetid).svg", method: .get, headers: ann.headers)
            #expect(none.status == .notFound)

            let candidate = try await client.execute(uri: "/api/candidate/\(object)", method: .get, headers: ann.headers)
            #expect(candidate.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: candidate.body).utf8)) as? [String: Any])
            let listed = try #require(json["epochs"] as? [[String: Any]])
            #expect(listed.count == epochs.count && listed.filter { $0["primary"] as? Bool == true }.count == 1)
            #expect(listed.map { $0["mjd"] as! Double } == listed.map { $0["mjd"] as! Double }.sorted())
            let variability = try #require(json["variability"] as? [String: Any])
            #expect(variability["sigma"] as? Double == 4.2 && variability["changing_look"] as? String == "Hβ broad emerged")
            let page = try await client.execute(uri: "/", method: .get, headers: ann.headers)
            #expect(String(buffer: page.body).contains("<div id=\"epochs\"></div>"))
        }
    }
}
