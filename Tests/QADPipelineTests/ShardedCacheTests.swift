import Foundation
import QADCore
import QADFormats
import QADModel
import QADPipeline
import QADStore
import QADTestSupport
import Testing
@testable import QADPlot

/// After `qad worker` runs, a store's cache is one shard per input file and the
/// model's matrices are indexed by global rows over all shards (name order).
@Suite struct ShardedCacheTests {
    @Test func spectraAndReconstructionsAreFoundInEveryShard() throws {
        let project = try ProjectStore(directory: temporaryDirectory())
        let grid = RestGrid.standard
        _ = try project.prepareCache(grid: grid) { [Double](repeating: 1, count: grid.count) }
        let bins = grid.count
        // Flux of shard s, row r: 10·(s+1) + r; weight 1 everywhere.
        let shards = [("q1-a1", 2), ("q2-a1", 3)]
        var id: TargetID = 39_627_000_000_000_000
        for (s, (name, rows)) in shards.enumerated() {
            let flux = (0..<rows).flatMap { r in [Float](repeating: Float(10 * (s + 1) + r), count: bins) }
            try NPYFile.write(flux, shape: [rows, bins], to: project.fluxPath(shard: name))
            try NPYFile.write([Float](repeating: 1, count: rows * bins), shape: [rows, bins], to: project.weightPath(shard: name))
            let records = (0..<rows).map { r -> SpectrumRecord in
                id += 1
                return SpectrumRecord(targetid: id, ra: 1, dec: 2, z: 2, zSource: "catalog", spectype: "QSO", zwarn: 0,
                                      deltachi2: nil, balProb: nil, biCiv: nil, aiCiv: nil, snr: 5, amplitude: 1,
                                      maskFrac: 0, zeroIvarFrac: 0, armStep: 0, nbins: bins, flags: 0, survey: "DESI",
                                      sourceFile: name + ".fits", sourceHdu: "FIBERMAP", sourceRow: r, cacheShard: name,
                                      cacheRow: r)
            }
            try project.store.commit(FileCommit(file: IngestedFileRecord(path: name + ".fits", size: 1, mtime: 0, status: .done,
                                                                         nSpectra: rows, nSkipped: 0, ingestedAt: 0),
                                                spectra: records, problems: []),
                                     shard: name, shardRows: rows, columns: bins)
        }
        // Reconstruction of global row g: 100 + g; latents: g on both axes.
        let modelDir = project.directory + "/models/vae"
        try FileManager.default.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
        try NPYFile.write((0..<5).flatMap { g in [Float](repeating: Float(100 + g), count: bins) }, shape: [5, bins],
                          to: modelDir + "/" + ModelFiles.reconstructionName)
        try NPYFile.write((0..<5).flatMap { g in [Float(g), Float(g * g)] }, shape: [5, 2],
                          to: modelDir + "/" + ModelFiles.latentMuName)

        let loader = try PlotStage.loader(project: project, model: "vae")
        let spectra = try project.store.spectra()
        #expect(spectra.map { loader.globalRow(of: $0) } == [0, 1, 2, 3, 4])
        let second = try #require(spectra.first { $0.cacheShard == "q2-a1" && $0.cacheRow == 1 })
        let data = try loader.load(second, score: nil)
        #expect(data.flux.count == bins && data.flux.allSatisfy { $0 == 21 })
        #expect(data.model.allSatisfy { $0 == 103 })
        var stray = second
        stray.cacheRow = 3  // beyond the shard's committed rows
        #expect(loader.globalRow(of: stray) == nil)
        #expect(throws: LocatedError.self) { try loader.load(stray, score: nil) }

        let files = try PlotStage(project: project)
        let out = temporaryDirectory()
        let written = try files.writeLatentMap(candidates: [second.targetid], figure: LatentMapFigure(), formats: [.svg],
                                               directory: out)
        #expect(written == [out + "/latent_map.svg"])
    }
}
