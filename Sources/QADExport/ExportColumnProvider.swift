import QADCore
import QADFormats

/// One source of export columns: given the exported TARGETIDs (in row order),
/// the columns it contributes, each with one value per row (nil where it has
/// none). `qad export` appends providers: catalog, cross-match, and later
/// scores and review labels.
public protocol ExportColumnProvider {
    func columns(for targets: [TargetID]) throws -> [CatalogTableColumn]
    /// Provenance entries the provider adds (FITS keywords, ≤ 8 characters).
    func provenance() throws -> [CatalogProvenance]
}

extension ExportColumnProvider {
    public func provenance() throws -> [CatalogProvenance] { [] }
}

/// Builds the export table: the providers' columns side by side, in order.
public enum CatalogExport {
    public static func table(name: String, description: String?, targets: [TargetID],
                             providers: [any ExportColumnProvider], provenance: [CatalogProvenance]) throws -> CatalogTable {
        var table = CatalogTable(name: name, description: description, provenance: provenance)
        for p in providers {
            table.columns += try p.columns(for: targets)
            table.provenance += try p.provenance()
        }
        return table
    }
}
