import QADFormats
import QADStore
import QADTestSupport
@testable import QADPipeline

/// Runs one ingest into `dir` (a new temporary store by default) with the
/// given QSO catalogs and selection, two workers, as `qad ingest` would.
func ingestForTest(_ paths: [String], catalogs: [String] = [], spectypes: Set<String> = ["QSO"],
                   anyZwarn: Bool = false, into dir: String = temporaryDirectory(),
                   force: Bool = false) async throws -> (ProjectStore, IngestSummary) {
    var catalog = QSOCatalog()
    for c in catalogs { try catalog.add(path: c) }
    let project = try ProjectStore(directory: dir)
    let runner = try IngestRunner(project: project, options: IngestOptions(
        selection: SampleSelection(catalog: catalog, spectypes: spectypes, anyZwarn: anyZwarn), workers: 2, force: force))
    return (project, try await runner.run(paths: paths))
}
