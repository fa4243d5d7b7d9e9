import Foundation
import QADCore
import QADDetect
import QADFormats
import QADModel
import QADTestSupport
import Testing
@testable import QADStore

func spectrum(_ id: TargetID, file: String = "a.fits", row: Int, shard: String = "main") -> SpectrumRecord {
    SpectrumRecord(targetid: id, ra: 10, dec: -5, z: 2.1, zSource: "catalog", spectype: "QSO", zwarn: 0,
                   deltachi2: 50, balProb: nil, biCiv: nil, aiCiv: nil, snr: 2.3, amplitude: 1.5, maskFrac: 0,
                   zeroIvarFrac: 0, armStep: 0.4, nbins: 1090, flags: 0, survey: "DESI", sourceFile: file,
                   sourceHdu: "FIBERMAP", sourceRow: row, cacheShard: shard, cacheRow: row)
}

func fileRecord(_ path: String, spectra: Int = 1) -> IngestedFileRecord {
    IngestedFileRecord(path: path, size: 1, mtime: 1, status: .done, nSpectra: spectra, nSkipped: 0, ingestedAt: 0)
}

@Suite struct StoreTests {
    @Test(arguments: StoreKind.runnable)
    func commitsAreWholeFilesAndTargetIDsStayExact(kind: StoreKind) throws {
        let store = try freshStore(kind)
        let big: TargetID = 39_633_559_463_397_282
        let file = IngestedFileRecord(path: "a.fits", size: 10, mtime: 1_700_000_000.123456, status: .done, nSpectra: 2,
                                      nSkipped: 1, ingestedAt: 0)
        let problem = ProblemRecord(InputProblem(file: "a.fits", hdu: "FIBERMAP", column: "Z", row: 7, message: "bad z"),
                                    severity: .skipped)
        var odd = spectrum(big + 1, row: 1)
        odd.ra = nil
        odd.snr = 1e-300
        odd.amplitude = 0.1 + 0.2  // not the shortest decimal of anything: must still round-trip exactly
        odd.balProb = .infinity
        odd.flags = Int64.max
        try store.commit(FileCommit(file: file, spectra: [spectrum(big, row: 0), odd], problems: [problem]),
                         shard: "main", shardRows: 2, columns: 3276)
        #expect(try store.spectrumCount() == 2)
        #expect(try store.spectrum(big) == spectrum(big, row: 0))  // every column, NULLs included
        #expect(try store.spectrum(big + 1) == odd)
        #expect(try store.allTargetIDs() == [big, big + 1])
        #expect(try store.sourceFile(of: big + 1) == "a.fits")
        #expect(try store.committedRows(shard: "main") == 2)
        #expect(try store.problems() == [problem])
        #expect(try store.fileRecord(path: "a.fits") == file)

        // A commit that violates a constraint (same TARGETID) rolls back whole.
        let other = IngestedFileRecord(path: "b.fits", size: 1, mtime: 1, status: .done, nSpectra: 2, nSkipped: 0, ingestedAt: 0)
        #expect(throws: (any Error).self) {
            try store.commit(FileCommit(file: other, spectra: [spectrum(big + 5, file: "b.fits", row: 2), spectrum(big, file: "b.fits", row: 3)],
                                        problems: []), shard: "main", shardRows: 4, columns: 3276)
        }
        #expect(try store.spectrumCount() == 2)
        #expect(try store.fileRecord(path: "b.fits") == nil)
        #expect(try store.committedRows(shard: "main") == 2)
        // …and the store is usable after the failed transaction.
        try store.commit(FileCommit(file: other, spectra: [spectrum(big + 5, file: "b.fits", row: 2)], problems: []),
                         shard: "main", shardRows: 3, columns: 3276)
        #expect(try store.files().map(\.path) == ["a.fits", "b.fits"])

        try store.forget(file: "a.fits")
        #expect(try store.spectrumCount() == 1 && store.problems().isEmpty && store.fileRecord(path: "a.fits") == nil)
    }

    @Test(arguments: StoreKind.runnable)
    func reopeningKeepsTheSchemaAndRows(kind: StoreKind) throws {
        let location = try freshStoreLocation(kind)
        do {
            let store = try openStore(location)
            try store.commit(FileCommit(file: fileRecord("a"), spectra: [spectrum(1, row: 0)], problems: []),
                             shard: "main", shardRows: 1, columns: 3276)
        }
        let again = try openStore(location)
        #expect(try again.spectrumCount() == 1)
    }

    @Test(arguments: StoreKind.runnable)
    func filesBeyondALostCacheTailAreForgotten(kind: StoreKind) throws {
        let store = try freshStore(kind)
        for (i, path) in ["f0", "f1", "f2"].enumerated() {
            let spectra = [spectrum(TargetID(10 * i), file: path, row: 2 * i), spectrum(TargetID(10 * i + 1), file: path, row: 2 * i + 1)]
            try store.commit(FileCommit(file: fileRecord(path, spectra: 2), spectra: spectra, problems: []),
                             shard: "main", shardRows: 2 * i + 2, columns: 8)
        }
        #expect(try store.forgetFiles(beyondCacheRow: 3, shard: "main").sorted() == ["f1", "f2"])
        #expect(try store.committedRows(shard: "main") == 2)
        #expect(try store.spectra().map(\.targetid) == [0, 1])
        #expect(try store.forgetFiles(beyondCacheRow: 2, shard: "main") == [])
    }

    @Test(arguments: StoreKind.runnable)
    func modelOutputsAreReplacedNotDuplicated(kind: StoreKind) throws {
        let store = try freshStore(kind)
        try store.commit(FileCommit(file: fileRecord("a", spectra: 3), spectra: (0..<3).map { spectrum(TargetID(100 + $0), row: $0) },
                                    problems: []), shard: "main", shardRows: 3, columns: 8)
        #expect(try store.cacheRows(shard: "main", in: 1..<3) == [CacheRowRef(targetid: 101, row: 1), CacheRowRef(targetid: 102, row: 2)])
        func outputs(_ chi2: Double) -> [ModelOutputRecord] {
            (0..<3).map { ModelOutputRecord(model: "vae", targetid: TargetID(100 + $0), cacheShard: "main", cacheRow: $0,
                                            reconChi2: chi2 + Double($0), reconMse: 0.5, kl: 3, dof: 900) }
        }
        let progress = ModelInferenceRecord(model: "vae", fingerprint: InferenceFingerprint(weightsHash: "abc", reconstructions: .covered),
                                            cacheShard: "main", rowsDone: 3, rowsTotal: 3,
                                            updatedAt: 12.5)
        try store.commitInference(outputs(1), progress: progress)
        try store.commitInference(outputs(7), progress: progress)  // a chunk redone after a crash
        #expect(try store.modelOutputs(model: "vae") == outputs(7))
        #expect(try store.inferenceProgress(model: "vae") == progress)
        try store.resetInference(model: "vae")
        #expect(try store.modelOutputs(model: "vae").isEmpty && store.inferenceProgress(model: "vae") == nil)
    }

    @Test(arguments: StoreKind.runnable)
    func upstreamARDColumnsAreQueryable(kind: StoreKind) throws {
        let store = try freshStore(kind)
        let rows = [
            UpstreamARDRecord(targetid: 1, zHelio: 2.0, spectype: "QSO", balProb: 0.9, latentVec: [1, -2.5, 3e-7],
                              reconMse: 0.2, anomalyScore: 5, source: "t"),
            UpstreamARDRecord(targetid: 2, zHelio: 1.0, spectype: "QSO", balProb: nil, latentVec: nil,
                              reconMse: 0.1, anomalyScore: 4, source: "t"),
            UpstreamARDRecord(targetid: 3, zHelio: nil, spectype: nil, balProb: 0.01, latentVec: [],
                              reconMse: 2.0, anomalyScore: 9, source: "t"),
            UpstreamARDRecord(targetid: 4, zHelio: 1.5, spectype: "QSO", balProb: 0.0, latentVec: nil,
                              reconMse: nil, anomalyScore: nil, source: "t"),
        ]
        try store.saveUpstream(rows)
        try store.saveUpstream([rows[1]])  // saving again replaces
        #expect(try store.upstreamCount() == 4)
        #expect(try store.upstreamScores(for: [1, 3, 99]) == [1: rows[0], 3: rows[2]])
        #expect(try store.upstreamCandidates(UpstreamCandidateQuery(minAnomalyScore: 3)).map(\.targetid) == [3, 1, 2])
        #expect(try store.upstreamCandidates(UpstreamCandidateQuery(minAnomalyScore: 3, maxReconMSE: 1, maxBALProb: 0.5))
                    .map(\.targetid) == [2])
        #expect(try store.upstreamCandidates(UpstreamCandidateQuery(minAnomalyScore: 3, minReconMSE: 0.15, limit: 1))
                    .map(\.targetid) == [3])
    }

    /// Quotes, comment markers, backslashes, tabs and newlines (COPY's own
    /// separators) in every kind of text the store keeps are data.
    @Test(arguments: StoreKind.runnable)
    func sqlMetacharactersAreStoredAsData(kind: StoreKind) throws {
        let store = try freshStore(kind)
        let hostile = "x'); DROP TABLE spectrum; --\t\\N\\\n\"$1\" ' OR '1'='1 \u{00e9}\r"
        let path = "/data/" + hostile + ".fits"
        var s = spectrum(7, file: path, row: 0, shard: hostile)
        s.spectype = hostile
        s.sourceHdu = "\\."
        let problem = ProblemRecord(InputProblem(file: path, hdu: hostile, column: "\\N", row: 3, message: hostile), severity: .warning)
        try store.commit(FileCommit(file: fileRecord(path), spectra: [s], problems: [problem]), shard: hostile,
                         shardRows: 1, columns: 4)
        #expect(try store.spectrum(7) == s)
        #expect(try store.problems() == [problem])
        #expect(try store.fileRecord(path: path) != nil)
        #expect(try store.committedRows(shard: hostile) == 1)
        #expect(try store.cacheRows(shard: hostile, in: 0..<1) == [CacheRowRef(targetid: 7, row: 0)])
        #expect(try store.cacheRows(shard: "' OR '1'='1", in: 0..<1).isEmpty)
        let out = ModelOutputRecord(model: hostile, targetid: 7, cacheShard: hostile, cacheRow: 0, reconChi2: 1, reconMse: 1,
                                    kl: 1, dof: 1)
        try store.commitInference([out], progress: ModelInferenceRecord(model: hostile,
                                                                         fingerprint: InferenceFingerprint(weightsHash: hostile, reconstructions: .full),
                                                                         cacheShard: hostile,
                                                                         rowsDone: 1, rowsTotal: 1, updatedAt: 0))
        #expect(try store.modelOutputs(model: hostile) == [out])
        #expect(try store.modelOutputs(model: "' OR '1'='1").isEmpty)
        try store.saveUpstream([UpstreamARDRecord(targetid: 7, zHelio: 1, spectype: hostile, balProb: nil, latentVec: nil,
                                                  reconMse: nil, anomalyScore: 1, source: hostile)])
        #expect(try store.upstreamScores(for: [7])[7]?.spectype == hostile)
        try store.forget(file: path)
        #expect(try store.spectrumCount() == 0)
    }
}
