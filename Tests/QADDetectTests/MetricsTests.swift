import QADCore
import Testing
@testable import QADDetect

@Suite struct MetricsTests {
    typealias M = EvaluationMetrics

    @Test func rocAUCOfKnownOrderings() throws {
        #expect(try M.rocAUC(scores: [1, 2, 3, 4], labels: [false, false, true, true]) == 1)
        #expect(try M.rocAUC(scores: [4, 3, 2, 1], labels: [false, false, true, true]) == 0)
        #expect(try M.rocAUC(scores: [1, 1, 1, 1], labels: [false, true, false, true]) == 0.5)
        // scikit-learn's documented example: 0.75.
        #expect(try M.rocAUC(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true]) == 0.75)
        // A tie between a positive and a negative counts ½: pairs (p,n) = 4, wins 2 + ½ + ½.
        #expect(try M.rocAUC(scores: [1, 2, 2, 3], labels: [false, true, false, true]) == 0.875)
    }

    @Test func averagePrecisionOfAKnownCase() throws {
        // scikit-learn's documented example: thresholds 0.8 (P 1, R ½), 0.4 (P ½), 0.35 (P ⅔, R 1) → ½ + ⅓.
        let ap = try M.averagePrecision(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
        #expect(abs(ap - 5.0 / 6) < 1e-15)
        // Tied scores enter together: one threshold holding 1 of 2 positives among 3 → R ½, P ⅓; then all.
        let tied = try M.averagePrecision(scores: [2, 2, 2, 1], labels: [true, false, false, true])
        #expect(abs(tied - (0.5 * (1.0 / 3) + 0.5 * 0.5)) < 1e-15)
    }

    @Test func spearmanWithTiesUsesAverageRanks() throws {
        #expect(M.averageRanks([10, 20, 20, 30, 20]) == [1, 3, 3, 5, 3])
        // ranks x = 1, 2.5, 2.5, 4 and y = 1, 3, 2, 4: r = 4.5 / √(4.5 · 5).
        let r = try M.spearman([1, 2, 2, 3], [1, 3, 2, 4])
        #expect(abs(r - 4.5 / (4.5 * 5).squareRoot()) < 1e-15)
        #expect(try M.spearman([1, 2, 3], [30, 20, 10]) == -1)
        #expect(throws: LocatedError(column: "y", message: "constant: the correlation is undefined")) {
            try M.spearman([1, 2, 3], [5, 5, 5])
        }
    }

    @Test func topFractionSharesTheCutAmongTies() throws {
        #expect(try M.topCount(fraction: 0.1, of: 100) == 10)
        #expect(try M.topCount(fraction: 0.25, of: 10) == 3)
        #expect(try M.topCount(fraction: 0.001, of: 10) == 1)
        // Top 2 of 5: the 5 is in; one place left for the three 4s, one of them positive.
        let scores: [Double] = [5, 4, 4, 4, 1], labels = [true, true, false, false, false]
        let weights = try M.topFractionWeights(scores: scores, fraction: 0.4)
        let third = 1.0 / 3
        let expectedWeights: [Double] = [1, third, third, third, 0]
        #expect(weights == expectedWeights)
        let (p, r) = try M.precisionRecallAtFraction(scores: scores, labels: labels, fraction: 0.4)
        #expect(abs(p - 2 * third) < 1e-15)
        #expect(abs(r - 2 * third) < 1e-15)
        let byClass = try M.recallByClass(scores: scores, classes: ["bal", "lens", nil, "bal", nil], fraction: 0.4)
        let expectedRecall: [String: Double] = ["bal": (1 + third) / 2, "lens": third]
        #expect(byClass == expectedRecall)
    }

    @Test func nanAndDegenerateInputsThrowNamingTheInput() throws {
        #expect(throws: LocatedError(column: "scores", message: "NaN at row 1")) {
            try M.rocAUC(scores: [0, .nan], labels: [true, false])
        }
        #expect(throws: LocatedError(column: "x", message: "NaN at row 2")) { try M.spearman([1, 2, .nan], [1, 2, 3]) }
        #expect(throws: LocatedError.self) { try M.rocAUC(scores: [1, 2], labels: [true, true]) }
        #expect(throws: LocatedError.self) { try M.averagePrecision(scores: [1, 2], labels: [false, false]) }
        #expect(throws: LocatedError.self) { try M.rocAUC(scores: [1, 2], labels: [true]) }
        #expect(throws: LocatedError.self) { try M.topFractionWeights(scores: [1, 2], fraction: 0) }
        // Infinities are ordinary extreme scores.
        #expect(try M.rocAUC(scores: [-.infinity, .infinity], labels: [false, true]) == 1)
    }
}
