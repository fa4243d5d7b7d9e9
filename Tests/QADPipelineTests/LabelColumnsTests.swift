import QADCore
import QADExport
import QADFormats
import QADLabels
import Testing

/// PROPOSED_Z: the median of the redshifts reviewers proposed with a current
/// "wrong redshift" label; other labels, and earlier decisions, do not count.
@Suite struct LabelColumnsTests {
    @Test func theProposedRedshiftIsTheMedianOfCurrentWrongRedshiftLabels() throws {
        let a: TargetID = 100, b: TargetID = 200, c: TargetID = 300
        let labels = [
            LabelEventRecord(reviewerId: 1, targetid: a, labelClass: .wrongRedshift, proposedZ: 1.2),
            LabelEventRecord(reviewerId: 2, targetid: a, labelClass: .wrongRedshift, proposedZ: 1.4),
            LabelEventRecord(reviewerId: 3, targetid: a, labelClass: .wrongRedshift),          // no z proposed
            LabelEventRecord(reviewerId: 1, targetid: b, labelClass: .artifact, proposedZ: 2.0), // not a wrong-z label
            LabelEventRecord(reviewerId: 1, targetid: c, labelClass: .wrongRedshift, proposedZ: 0.5),
            LabelEventRecord(reviewerId: 2, targetid: c, labelClass: .wrongRedshift, proposedZ: 3.1),
            LabelEventRecord(reviewerId: 3, targetid: c, labelClass: .wrongRedshift, proposedZ: 0.7),
        ]
        let z = LabelColumns.proposedRedshifts(labels)
        #expect(z.count == 2 && abs(z[a]! - 1.3) < 1e-12 && z[c] == 0.7 && z[b] == nil)
        let columns = try LabelColumns(consensus: [], currentLabels: labels, reviewers: 3, events: 7).columns(for: [a, b, c])
        let proposed = try #require(columns.first { $0.name == "PROPOSED_Z" })
        guard case .float64(let values) = proposed.values else { Issue.record("PROPOSED_Z is not float64"); return }
        #expect(values.count == 3 && values[1] == nil && values[2] == 0.7)
    }
}
