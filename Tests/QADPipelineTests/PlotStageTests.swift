import Foundation
import QADCore
import QADPipeline
import QADTestSupport
import Testing

@Suite struct PlotStageTests {
    @Test func targetIDListsReadCSVColumnsAndPlainLines() throws {
        let csv = temporaryPath("c.csv")
        try "RA,TARGETID,Z\n1.0,39627000000000001,2\n2.0,39627000000000003,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try PlotStage.readTargetIDs(csv) == [39_627_000_000_000_001, 39_627_000_000_000_003])
        let txt = temporaryPath("t.txt")
        try "# candidates\n39627000000000009\n\n7\n".write(toFile: txt, atomically: true, encoding: .utf8)
        #expect(try PlotStage.readTargetIDs(txt) == [39_627_000_000_000_009, 7])
        try "abc\n".write(toFile: txt, atomically: true, encoding: .utf8)
        #expect(throws: LocatedError.self) { try PlotStage.readTargetIDs(txt) }
    }
}
