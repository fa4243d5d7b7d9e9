import Foundation
import QADCore
import QADCrossmatch
import QADStore

/// The review page's cross-match panel from the store's `qad crossmatch`
/// results: per catalog, the nearest source within the radius and its kept
/// columns (e.g. "w1mpro 15.21, w2mpro 14.02, W1_W2 1.19").
public struct StoreCrossmatches: CrossmatchProvider {
    let store: any CrossmatchStore
    let columns: [String: [KeptColumn]]

    public init(store: any CrossmatchStore) throws {
        self.store = store
        var columns: [String: [KeptColumn]] = [:]
        for catalog in try store.crossmatchCatalogs() { columns[catalog.name] = catalog.columns }
        self.columns = columns
    }

    public func crossmatches(of targetid: TargetID) throws -> [CrossmatchEntry] {
        try store.crossmatches(of: targetid).compactMap { m in
            guard let id = m.nearestId, let sep = m.sepArcsec else { return nil }
            var summary = "\(m.nWithin) within the radius"
            if let kept = columns[m.catalog], let values = try m.typedValues(kept) {
                let parts = zip(kept, values).compactMap { column, value -> String? in
                    switch value {
                    case .float64(let d): return d.isFinite ? "\(column.name) \(String(format: "%.3g", d))" : nil
                    case .int64(let i): return "\(column.name) \(i)"
                    case .string(let s): return "\(column.name) \(s)"
                    case .bool(let b): return "\(column.name) \(b ? "yes" : "no")"
                    case .null: return nil
                    }
                }
                if !parts.isEmpty { summary += "; " + parts.joined(separator: ", ") }
            }
            return CrossmatchEntry(catalog: m.catalog, id: id, separationArcsec: sep, summary: summary)
        }
    }
}
