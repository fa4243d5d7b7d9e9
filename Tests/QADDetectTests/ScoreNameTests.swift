import Testing
import QADCore
import QADDetect

@Suite struct ScoreNameTests {
    @Test func namesAreTheExportColumnsInLowerCase() {
        // DESIGN.md's CSV contract names these columns (upper-cased).
        let upper = Set(ScoreName.allCases.map { $0.rawValue.uppercased() })
        for column in ["RECON_CHI2", "RECON_MSE", "KL", "IFOREST", "KNN", "SCORE"] {
            #expect(upper.contains(column))
        }
    }
}
