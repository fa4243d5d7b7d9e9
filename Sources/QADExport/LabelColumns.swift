import QADCore
import QADFormats
import QADLabels

/// The reviewers' verdict per target (`qad review`): the consensus class, how
/// many reviewers labelled it, the share that agree, and the redshift they
/// propose when they call it a wrong redshift; provenance gives the number of
/// reviewers and label events.
public struct LabelColumns: ExportColumnProvider {
    let consensus: [TargetID: LabelConsensus]
    let proposedZ: [TargetID: Double]
    let reviewers: Int
    let events: Int

    /// Each reviewed target's consensus, the reviewers known and the label
    /// events recorded; `currentLabels` (latest event per reviewer and target)
    /// give the proposed redshifts.
    public init(consensus: [LabelConsensus], currentLabels: [CurrentLabel] = [], reviewers: Int, events: Int) {
        self.consensus = Dictionary(consensus.map { ($0.targetid, $0) }, uniquingKeysWith: { a, _ in a })
        proposedZ = Self.proposedRedshifts(currentLabels)
        self.reviewers = reviewers
        self.events = events
    }

    /// Per target, the median of the redshifts proposed by the reviewers whose
    /// current label is "wrong redshift" with a proposed z (the review page's
    /// trial z); targets without one are absent.
    public static func proposedRedshifts(_ labels: [CurrentLabel]) -> [TargetID: Double] {
        var byTarget: [TargetID: [Double]] = [:]
        for l in labels where l.labelClass == .wrongRedshift {
            if let z = l.proposedZ { byTarget[l.targetid, default: []].append(z) }
        }
        return byTarget.mapValues(median)
    }

    /// The reviewed TARGETIDs, ascending.
    public var reviewed: [TargetID] { consensus.keys.sorted() }

    public func columns(for targets: [TargetID]) throws -> [CatalogTableColumn] {
        let rows = targets.map { consensus[$0] }
        return [
            CatalogTableColumn(name: "CONSENSUS_CLASS", values: .string(rows.map { $0?.label.rawValue }),
                               description: "reviewers' plurality class (unsure on a tie); empty when not reviewed",
                               ucd: "meta.code.class"),
            CatalogTableColumn(name: "N_REVIEWERS", values: .int32(rows.map { $0.map { Int32($0.reviewers) } ?? 0 }),
                               description: "reviewers with a current label of this target", displayFormat: "I4",
                               ucd: "meta.number"),
            CatalogTableColumn(name: "AGREEMENT", values: .float64(rows.map { $0?.agreement }),
                               description: "share of those reviewers who chose the consensus class",
                               displayFormat: "F5.3", ucd: "stat.fit.goodness"),
            CatalogTableColumn(name: "PROPOSED_Z", values: .float64(targets.map { proposedZ[$0] }),
                               description: "median redshift proposed by reviewers who labelled it a wrong redshift; "
                                   + "empty when none did", displayFormat: "F8.5", ucd: "src.redshift"),
        ]
    }

    public func provenance() throws -> [CatalogProvenance] {
        [CatalogProvenance("NREVIEWR", .int(Int64(reviewers)), comment: "reviewers known to the store"),
         CatalogProvenance("NLABELEV", .int(Int64(events)), comment: "label events recorded")]
    }
}
