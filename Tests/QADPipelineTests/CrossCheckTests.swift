import Foundation
import QADFormats
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

/// qad's cache against tools/crosscheck_ingest.py, an independent astropy +
/// NumPy implementation of docs/preprocessing.md, within 1e-5 relative.
@Suite struct CrossCheckTests {
    let script = packageRoot.appendingPathComponent("tools/crosscheck_ingest.py").path

    func ingest(_ paths: [String], catalogs: [String] = [], spectypes: Set<String> = ["QSO"], anyZwarn: Bool = false,
                into dir: String) async throws -> IngestSummary {
        try await ingestForTest(paths, catalogs: catalogs, spectypes: spectypes, anyZwarn: anyZwarn, into: dir).1
    }

    func crossCheck(_ store: String, python: String) throws -> String {
        let result = try run(python, [script, "--store", store, "--rtol", "1e-5"])
        #expect(result.status == 0, "\(result.output.suffix(3000))")
        return result.output
    }

    @Test(.needs(.python)) func realDESIAndSDSSSpectraAgreeWithAstropyAndNumPy() async throws {
        let python = try requirePython()
        let dir = temporaryDirectory()
        // The 12 DESI quasars with catalog redshifts, the two fastspecfit
        // galaxies through redrock, and every SDSS spectrum of every class.
        _ = try await ingest([sharedData("desi/edr-healpix-9144"), sharedData("desi/edr-tile-80693")],
                             catalogs: [sharedData("desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz"),
                                        sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz")], into: dir)
        _ = try await ingest([sharedData("desi/fastspecfit")], spectypes: ["GALAXY"], into: dir)
        let sdss = try await ingest([sharedData("sdss")], spectypes: ["QSO", "GALAXY", "STAR"], anyZwarn: true, into: dir)
        #expect(sdss.spectraIngested > 150)
        // Every ingested spectrum, each object's primary and its other epochs.
        let stored = try ProjectStore(directory: dir).store.epochs().count
        #expect(try stored > ProjectStore(directory: dir).store.spectrumCount())
        let output = try crossCheck(dir, python: python)
        #expect(output.contains("crosscheck: \(stored) passed, 0 failed"), "\(output.suffix(500))")
    }

    @Test(.needs(.python)) func simulatedSurveyWithAnomaliesAgrees() async throws {
        let python = try requirePython()
        let dir = temporaryDirectory()
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: dir + "/sim", count: 600, anomalyFraction: 0.2,
                                                      seed: 11, spectraPerFile: 200))
        let summary = try await ingest([dir + "/sim/healpix"], catalogs: [sim.catalogFile], into: dir + "/store")
        #expect(summary.spectraIngested > 300)
        let output = try crossCheck(dir + "/store", python: python)
        #expect(output.contains("crosscheck: \(summary.spectraIngested) passed, 0 failed"))
    }
}
