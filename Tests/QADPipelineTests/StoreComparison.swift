import Foundation
import QADCore
import QADStore
import QADTestSupport
import Testing

/// Compares two projects' catalogs and cache contents per TARGETID, so that
/// stores whose rows sit in different shards or orders (workers) compare too.
struct ProjectSnapshot {
    var spectra: [TargetID: SpectrumRecord] = [:]
    /// Flux and weight bytes of each spectrum's cache row.
    var rows: [TargetID: Data] = [:]
    var files: [String: IngestedFileRecord] = [:]
    var problems: [String] = []

    init(_ project: ProjectStore) throws {
        var shardData: [String: (flux: Data, weight: Data)] = [:]
        let columns = 3276, rowBytes = 4 * columns
        for s in try project.store.spectra() {
            var catalog = s
            catalog.cacheShard = ""
            catalog.cacheRow = 0
            spectra[s.targetid] = catalog
            if shardData[s.cacheShard] == nil {
                shardData[s.cacheShard] = (try Data(contentsOf: URL(fileURLWithPath: project.fluxPath(shard: s.cacheShard))),
                                           try Data(contentsOf: URL(fileURLWithPath: project.weightPath(shard: s.cacheShard))))
            }
            let (flux, weight) = shardData[s.cacheShard]!
            let start = 128 + s.cacheRow * rowBytes  // NPYMatrixAppender's fixed header
            rows[s.targetid] = flux.subdata(in: start..<start + rowBytes) + weight.subdata(in: start..<start + rowBytes)
        }
        for var f in try project.store.files() {
            f.ingestedAt = 0
            files[f.path] = f
        }
        problems = try project.store.problems().map { "\($0.file)|\($0.hdu ?? "")|\($0.column ?? "")|\($0.row ?? -1)|\($0.severity)|\($0.message)" }.sorted()
    }
}

func expectSameContent(_ a: ProjectSnapshot, _ b: ProjectSnapshot) {
    #expect(a.spectra.count == b.spectra.count)
    #expect(a.spectra == b.spectra)
    #expect(a.rows.count == b.rows.count)
    #expect(a.rows == b.rows, "cache rows differ for \(a.rows.keys.filter { a.rows[$0] != b.rows[$0] }.prefix(5))")
    #expect(a.files == b.files)
    #expect(a.problems == b.problems)
}

/// Runs the built `qad` and requires success.
@discardableResult
func qad(_ arguments: [String]) throws -> String {
    let result = try run(qadExecutable(), arguments)
    try #require(result.status == 0, "qad \(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
    return result.output
}

/// The database name of a test cluster URL (…/NAME?sslmode=disable).
func databaseName(_ url: String) -> String {
    String(url.split(separator: "/").last!.split(separator: "?").first!)
}
