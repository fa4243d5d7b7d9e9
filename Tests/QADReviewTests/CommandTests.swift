import Foundation
import QADReview
import QADStore
import QADTestSupport
import Testing

/// `qad plot` and `qad review add-reviewer` through the built executable.
@Suite struct CommandTests {
    @Test func plotWritesSVGAndPNGForTopCandidatesAndTheLatentMap() throws {
        let f = try ReviewFixture(spectra: 30, reviewers: [])
        let out = temporaryDirectory() + "/figs"
        let r = try run(qadExecutable(), ["plot", "--store", f.directory, "--top", "2", "--latent-map", "--frame", "rest",
                                          "--out", out])
        #expect(r.status == 0, "\(r.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files.count == 6, "\(files)")
        #expect(files.contains("latent_map.png") && files.contains("latent_map.svg"))
        for png in files where png.hasSuffix(".png") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/" + png))
            #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        }
        let list = temporaryPath("ids.csv")
        try "TARGETID\n\(f.summary.firstTargetID + 3)\n".write(toFile: list, atomically: true, encoding: .utf8)
        let one = try run(qadExecutable(), ["plot", "--store", f.directory, "--list", list, "--format", "svg", "--out", out + "2"])
        #expect(one.status == 0, "\(one.output)")
        let svg = try String(contentsOfFile: "\(out)2/\(f.summary.firstTargetID + 3).svg", encoding: .utf8)
        #expect(svg.contains("TARGETID \(f.summary.firstTargetID + 3)"))
        let bad = try run(qadExecutable(), ["plot", "--store", f.directory, "--frame", "sideways", "--top", "1"])
        #expect(bad.status != 0 && bad.output.contains("--frame"))
    }

    @Test func addReviewerPrintsATokenWhoseHashIsStored() throws {
        let f = try ReviewFixture(spectra: 5, reviewers: [])
        let r = try run(qadExecutable(), ["review", "add-reviewer", "carol", "--store", f.directory])
        #expect(r.status == 0, "\(r.output)")
        let token = try #require(r.output.split(whereSeparator: \.isWhitespace).first { $0.count == 64 }.map(String.init))
        let store = try f.store()
        #expect(try store.reviewer(tokenHash: SHA256.hex(token))?.name == "carol")
        #expect(try store.reviewer(tokenHash: token) == nil)  // never stored in clear
    }
}
