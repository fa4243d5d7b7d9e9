import QADCore
import QADDetect
import QADExport
import QADFormats
import QADLabels

/// `qad export --relevance`: each spectrum's place in a team's or reviewer's
/// relevance-ranked queue (`RelevanceQueue`). Spectra outside the ranked
/// pool have empty values; labelled ones have a relevance but no queue rank.
public struct RelevanceColumns: ExportColumnProvider {
    let queue: RelevanceQueue
    let source: RelevanceSource
    let map: RelevanceMap

    public init(queue: RelevanceQueue, source: RelevanceSource, map: RelevanceMap) {
        self.queue = queue
        self.source = source
        self.map = map
    }

    public func columns(for targets: [TargetID]) throws -> [CatalogTableColumn] {
        var rank: [Int: Int32] = [:]
        for (r, i) in queue.ranked.enumerated() { rank[i] = Int32(r + 1) }
        let explained = targets.map { id in queue.sample.index(of: id).flatMap { queue.model.explain($0, neighbours: 0) } }
        let index = targets.map { queue.sample.index(of: $0) }
        return [
            CatalogTableColumn(name: "RELEVANCE", values: .float64(explained.map { $0?.relevance }),
                               description: "predicted relevance from the labels (−1 less like this … +1 more like this); "
                                   + "empty outside the ranked pool", displayFormat: "F6.3", ucd: "stat.value"),
            CatalogTableColumn(name: "NOVELTY", values: .float64(explained.map { $0?.novelty }),
                               description: "1 when no labelled spectrum is near, towards 0 near many",
                               displayFormat: "F5.3", ucd: "stat.value"),
            CatalogTableColumn(name: "QUEUE_KEY", values: .float64(explained.map { $0?.key }),
                               description: "relevance queue order: anomaly quantile + λ·relevance + κ·novelty",
                               displayFormat: "F7.3", ucd: "meta.number"),
            CatalogTableColumn(name: "QUEUE_RANK", values: .int32(index.map { $0.flatMap { rank[$0] } }),
                               description: "place in the relevance-ranked queue of unlabelled spectra (1 = next); "
                                   + "empty when labelled or outside the pool", displayFormat: "I8", ucd: "meta.number"),
        ]
    }

    public func provenance() throws -> [CatalogProvenance] {
        [CatalogProvenance("RELSRC", .string(source.description), comment: "relevance from these labels (team or reviewer)"),
         CatalogProvenance("RELMAP", .string(map.name), comment: "label class to relevance map"),
         CatalogProvenance("RELNLAB", .int(Int64(queue.labelCount)), comment: "labels the relevance model learned from")]
    }
}
