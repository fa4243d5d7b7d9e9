import Foundation
import QADCore
import QADFormats
import QADSpectra
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

/// Ingest of upstream ARD Parquet tiles, made by pyarrow from the real DESI
/// coadds (tools/make_ard_tiles.py), against the FITS path.
@Suite struct ARDIngestTests {
    static let catalogs = [sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz"),
                           sharedData("desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz")]

    /// OUT/tiles (ARD tiles) and OUT/fits (the coadds cut to the tiles' 3600–9800 Å).
    static let fixtures: Result<String?, Error> = Result {
        guard let python = try crossCheckPython() else { return nil }
        let out = temporaryDirectory()
        let result = try run(python, [packageRoot.appendingPathComponent("tools/make_ard_tiles.py").path, "tiles",
                                      sharedData(""), out])
        guard result.status == 0 else { throw FixtureFailure(output: result.output) }
        return out
    }

    struct FixtureFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "tools/make_ard_tiles.py failed:\n\(output)" }
    }

    func ingest(_ paths: [String], catalogs: [String] = ARDIngestTests.catalogs,
                into dir: String = temporaryDirectory()) async throws -> (ProjectStore, IngestSummary) {
        try await ingestForTest(paths, catalogs: catalogs, into: dir)
    }

    /// Cache rows (flux, weight) and catalog rows of a store, by TARGETID.
    func cacheRows(_ project: ProjectStore) throws -> [TargetID: (record: SpectrumRecord, flux: ArraySlice<Float>, weight: ArraySlice<Float>)] {
        let n = RestGrid.standard.count
        let flux = try NPYFile.readDoubles(project.fluxPath(shard: "main")).values.map { Float($0) }
        let weight = try NPYFile.readDoubles(project.weightPath(shard: "main")).values.map { Float($0) }
        var out: [TargetID: (SpectrumRecord, ArraySlice<Float>, ArraySlice<Float>)] = [:]
        for r in try project.store.spectra() {
            let range = (r.cacheRow * n)..<((r.cacheRow + 1) * n)
            out[r.targetid] = (r, flux[range], weight[range])
        }
        return out
    }

    @Test(.needs(.python)) func aTargetIngestedFromFITSAndFromItsTileGivesIdenticalCacheRows() async throws {
        let out = try #require(try Self.fixtures.get())
        let (fitsStore, fitsRun) = try await ingest(["\(out)/fits"])
        let (tileStore, tileRun) = try await ingest(["\(out)/tiles"])
        #expect(fitsRun.spectraIngested == 12 && tileRun.spectraIngested == 12)
        #expect(tileRun.filesIngested == 2 && tileRun.filesFailed == 0 && tileRun.rowsSkipped == 0)
        let a = try cacheRows(fitsStore), b = try cacheRows(tileStore)
        #expect(Set(a.keys) == Set(b.keys))
        for (id, x) in a {
            let y = try #require(b[id])
            // Bit-identical: the same pixels, the same exact wavelengths, the same arithmetic.
            #expect(x.flux.elementsEqual(y.flux) { $0.bitPattern == $1.bitPattern }, "TARGETID \(id) flux")
            #expect(x.weight.elementsEqual(y.weight) { $0.bitPattern == $1.bitPattern }, "TARGETID \(id) weight")
            #expect(x.record.z == y.record.z && x.record.snr == y.record.snr && x.record.amplitude == y.record.amplitude)
            #expect(x.record.maskFrac == y.record.maskFrac && x.record.zeroIvarFrac == y.record.zeroIvarFrac)
            #expect(x.record.armStep == y.record.armStep && x.record.nbins == y.record.nbins && x.record.flags == y.record.flags)
            #expect(y.record.survey == "DESI" && y.record.sourceHdu == "row group 0" && y.record.sourceFile.hasSuffix(".parquet"))
        }
    }

    @Test(.needs(.python)) func withoutRecoveredWavelengthsTheRowsWouldDiffer() throws {
        // Why the tile reader maps float32 wavelengths back to DESI's grid:
        // with float32 wavelengths the pixel edges move by up to 2.4e-4 Å.
        let out = try #require(try Self.fixtures.get())
        let tile = try ARDTileFile(path: "\(out)/tiles/tile_80693/qso_data_TILE80693.parquet")
        let reference = QuasarModel.meanRestSpectrum(wavelengths: RestGrid.standard.centers)
        let preprocessor = Preprocessor(grid: .standard, reference: reference)
        var catalog = QSOCatalog()
        try catalog.add(path: Self.catalogs[0])
        var largest = 0.0
        for row in try tile.rows(ofRowGroup: 0) {
            let info = TargetInfo(targetID: row.targetID!, z: catalog[row.targetID!]!.z, zSource: .catalog)
            let exact = try preprocessor.process(ObservedSpectrum(info: info, arms: row.arms, survey: "DESI",
                                                                  sourceFile: "t", sourceHDU: "g", sourceRow: 0))
            let rounded = row.arms.map { a in
                ArmSpectrum(name: a.name, wavelength: a.wavelength.map { Double(Float($0)) }, flux: a.flux, ivar: a.ivar, mask: a.mask)
            }
            let approx = try preprocessor.process(ObservedSpectrum(info: info, arms: rounded, survey: "DESI",
                                                                   sourceFile: "t", sourceHDU: "g", sourceRow: 0))
            // In units of each bin's noise (σ = 1/√weight).
            for j in exact.flux.indices where exact.weight[j] > 0 {
                largest = max(largest, abs(Double(approx.flux[j]) - Double(exact.flux[j])) * Double(exact.weight[j]).squareRoot())
            }
        }
        print("float32 ARD wavelengths without grid recovery: cache flux moves by up to \(largest) σ")
        #expect(largest > 0 && largest < 0.05)
    }

    @Test(.needs(.python)) func tilesMatchTheFullCoaddsWhereTheirWavelengthsOverlap() async throws {
        // The tiles stop at 9800 Å where the coadds go on to 9824 Å, which moves
        // the amplitude fit; the unnormalized flux (cache × amplitude) agrees in
        // every bin that lies wholly below the tiles' last pixel edge. (Their
        // last pixel is 9799.2 Å: DESI's "9800 Å" pixel is 9800.0000000004.)
        let out = try #require(try Self.fixtures.get())
        let (fullStore, _) = try await ingest([sharedData("desi/edr-tile-80693"), sharedData("desi/edr-healpix-9144")])
        let (tileStore, _) = try await ingest(["\(out)/tiles"])
        let full = try cacheRows(fullStore), tiles = try cacheRows(tileStore)
        let edges = RestGrid.standard.edges
        var largest = 0.0
        var compared = 0
        for (id, f) in full {
            let t = try #require(tiles[id])
            let z = f.record.z
            for j in 0..<RestGrid.standard.count where edges[j + 1] * (1 + z) < 9799.6 - 1e-6 && f.weight[f.weight.startIndex + j] > 0 {
                let a = Double(f.flux[f.flux.startIndex + j]) * f.record.amplitude
                let b = Double(t.flux[t.flux.startIndex + j]) * t.record.amplitude
                // The noise scale is measured over each spectrum's own coverage,
                // which differs: compare the weights before it widened them.
                func widening(_ s: Double) -> Double { max(1, s) * max(1, s) }
                let wa = Double(f.weight[f.weight.startIndex + j]) * widening(f.record.noiseScale)
                    / (f.record.amplitude * f.record.amplitude)
                let wb = Double(t.weight[t.weight.startIndex + j]) * widening(t.record.noiseScale)
                    / (t.record.amplitude * t.record.amplitude)
                let d = max(abs(a - b) / max(abs(a), 1e-30), abs(wa - wb) / wa)
                largest = max(largest, d)
                compared += 1
            }
        }
        print("ARD tiles vs full coadds: \(compared) bins, max relative difference \(largest) (float32 cache rounding)")
        #expect(compared > 10_000)
        #expect(largest < 1e-6)
        // The noise scale itself, over 24 Å less of the spectrum, moves little.
        let scaleDifference = full.map { id, f in abs(f.record.noiseScale - tiles[id]!.record.noiseScale) }.max() ?? 0
        print("ARD tiles vs full coadds: noise scales differ by up to \(scaleDifference)")
        #expect(scaleDifference < 0.05)
    }

    @Test(.needs(.python)) func withoutACatalogEveryTileRowIsTakenWithTheTileRedshift() async throws {
        let out = try #require(try Self.fixtures.get())
        let (project, summary) = try await ingest(["\(out)/tiles/tile_9144/qso_data_TILE9144.parquet"], catalogs: [])
        #expect(summary.spectraIngested == 2 && summary.rowsNotSelected == 0)
        var catalog = QSOCatalog()
        try catalog.add(path: Self.catalogs[1])
        for r in try project.store.spectra() {
            #expect(r.z == catalog[r.targetid]?.z && r.ra == catalog[r.targetid]?.ra)
        }
    }

    @Test(.needs(.python)) func foldersAreSearchedForParquetTiles() throws {
        let out = try #require(try Self.fixtures.get())
        let found = try InputDiscovery.files(in: ["\(out)/tiles"])
        #expect(found.map { URL(fileURLWithPath: $0).lastPathComponent } == ["qso_data_TILE80693.parquet", "qso_data_TILE9144.parquet"])
    }

    @Test(.needs(.python)) func aCorruptTileFailsAloneNamingRowGroupColumnAndPage() async throws {
        let out = try #require(try Self.fixtures.get())
        let dir = temporaryDirectory()
        let good = "\(out)/tiles/tile_9144/qso_data_TILE9144.parquet"
        let bad = dir + "/qso_data_TILE1.parquet"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(out)/tiles/tile_80693/qso_data_TILE80693.parquet")))
        let file = try ParquetFile(path: "\(out)/tiles/tile_80693/qso_data_TILE80693.parquet")
        let flux = try file.columnChunk("flux", rowGroup: 0)
        for i in 0..<8 { bytes[Int(flux.dataPageOffset) + i] = 0xee }  // the first flux data page header
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        let (project, summary) = try await ingest([bad, good])
        #expect(summary.filesFailed == 1 && summary.spectraIngested == 2)
        let message = try #require(summary.problems.first { $0.severity == .file }?.problem.description)
        #expect(message.hasPrefix("\(bad) HDU row group 0 column flux: page "), "\(message)")
        #expect(try project.store.problems().filter { $0.severity == .file }.count == 1)
    }

    @Test func badRowsAreSkippedAndFilesWithoutTheARDColumnsFail() async throws {
        let dir = temporaryDirectory()
        // A tile written by qad: one good row, one with a null flux list, one
        // with arrays of different lengths, one without a target_id.
        let wave = DESIWavelengthGrid.arms[0].wavelengths.prefix(500).map { Float($0) }
        let n = wave.count
        let fields: [ParquetField] = [.column("target_id", .int64), .column("ra", .double), .column("dec", .double),
                                      .column("z", .double), .list("wavelength", of: .float), .list("flux", of: .double),
                                      .list("ivar", of: .double), .list("mask_array", of: .int64)]
        let flux = (0..<(3 * n + n - 1)).map { 1 + 0.1 * sin(Double($0)) }
        let columns = [
            ParquetColumn(name: "target_id", values: .int64([1001, 1002, 1003, 0]), validity: [true, true, true, false]),
            ParquetColumn(name: "ra", values: .double([10, 11, 12, 13])),
            ParquetColumn(name: "dec", values: .double([1, 2, 3, 4])),
            ParquetColumn(name: "z", values: .double([0.5, 0.6, 0.7, 0.8])),
            ParquetColumn(name: "wavelength", values: .float(wave + wave + wave + wave), offsets: [0, n, 2 * n, 3 * n, 4 * n]),
            ParquetColumn(name: "flux", values: .double(flux), validity: [true, false, true, true],
                          offsets: [0, n, n, 2 * n - 1, 3 * n - 1]),
            ParquetColumn(name: "ivar", values: .double([Double](repeating: 4, count: 4 * n)), offsets: [0, n, 2 * n, 3 * n, 4 * n]),
            ParquetColumn(name: "mask_array", values: .int64([Int64](repeating: 0, count: 4 * n)), offsets: [0, n, 2 * n, 3 * n, 4 * n]),
        ]
        try ParquetWriter.write(path: dir + "/qso_data_TILE7.parquet", fields: fields, columns: columns)
        try ParquetWriter.write(path: dir + "/other.parquet", fields: [.column("target_id", .int64), .column("z", .double)],
                                columns: [ParquetColumn(name: "target_id", values: .int64([1])), ParquetColumn(name: "z", values: .double([1]))])
        let (project, summary) = try await ingest([dir], catalogs: [])
        #expect(summary.spectraIngested == 1 && summary.rowsSkipped == 3 && summary.filesFailed == 1)
        #expect(try project.store.spectra().map(\.targetid) == [1001])
        let messages = summary.problems.map(\.problem.description)
        #expect(messages.contains { $0.contains("qso_data_TILE7.parquet HDU row group 0 column flux row 1") && $0.contains("null") })
        #expect(messages.contains { $0.contains("row 2") && $0.contains("different lengths") })
        #expect(messages.contains { $0.contains("column target_id row 3") })
        #expect(messages.contains { $0.contains("other.parquet HDU") == false && $0.contains("other.parquet column wavelength: not an ARD tile") })
    }
}
