import QADTestSupport
import Testing
@testable import QADPipeline

@Suite struct StageTimerTests {
    @Test func timesEveryStageOnARealCoadd() throws {
        let t = try PreprocessingStageTimer(path: sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits")).run()
        #expect(t.spectra == 5)
        #expect(t.microseconds.map(\.0) == ["read", "merge + pixel S/N", "S/N median",
                                            "rebin", "whole preprocessing"])
        #expect(t.microseconds.allSatisfy { $0.1 > 0 && $0.1.isFinite })
    }
}
