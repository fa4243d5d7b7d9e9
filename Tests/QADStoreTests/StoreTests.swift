import Foundation
import QADCore
import QADFormats
import QADTestSupport
import Testing
@testable import QADStore

private func spectrum(_ id: TargetID, file: String = "a.fits", row: Int) -> SpectrumRecord {
    SpectrumRecord(targetid: id, ra: 10, dec: -5, z: 2.1, zSource: "catalog", spectype: "QSO", zwarn: 0,
                   deltachi2: 50, balProb: nil, biCiv: nil, aiCiv: nil, snr: 2.3, amplitude: 1.5, maskFrac: 0,
                   zeroIvarFrac: 0, armStep: 0.4, nbins: 1090, flags: 0, survey: "DESI", sourceFile: file,
                   sourceHdu: "FIBERMAP", sourceRow: row, cacheShard: "main", cacheRow: row)
}

@Suite struct SQLiteStoreTests {
    @Test func commitsAreWholeFilesAndTargetIDsStayExact() throws {
        let store = try SQLiteStore(path: temporaryPath("qad.sqlite"))
        let big: TargetID = 39_633_559_463_397_282
        let file = IngestedFileRecord(path: "a.fits", size: 10, mtime: 1, status: .done, nSpectra: 2, nSkipped: 1, ingestedAt: 0)
        let problem = ProblemRecord(InputProblem(file: "a.fits", hdu: "FIBERMAP", column: "Z", row: 7, message: "bad z"),
                                    severity: .skipped)
        try store.commit(FileCommit(file: file, spectra: [spectrum(big, row: 0), spectrum(big + 1, row: 1)], problems: [problem]),
                         shard: "main", shardRows: 2, columns: 3276)
        #expect(try store.spectrumCount() == 2)
        #expect(try store.spectrum(big) == spectrum(big, row: 0))  // every column, NULLs included
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

        try store.forget(file: "a.fits")
        #expect(try store.spectrumCount() == 0 && store.problems().isEmpty && store.fileRecord(path: "a.fits") == nil)
    }

    @Test func reopeningKeepsTheSchemaAndRows() throws {
        let path = temporaryPath("qad.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try store.commit(FileCommit(file: IngestedFileRecord(path: "a", size: 1, mtime: 1, status: .done, nSpectra: 1,
                                                                 nSkipped: 0, ingestedAt: 0),
                                        spectra: [spectrum(1, row: 0)], problems: []), shard: "main", shardRows: 1, columns: 3276)
        }
        let again = try SQLiteStore(path: path)
        #expect(try again.spectrumCount() == 1)
    }
}

@Suite struct NPYCacheTests {
    @Test func matrixGrowsAndNumPyHeaderFollows() throws {
        let path = temporaryPath("flux.npy")
        let m = try NPYMatrixAppender(path: path, columns: 3, committedRows: 0)
        #expect(try m.append([1, 2, 3, 4, 5, 6]) == 0)
        #expect(try m.append([7, 8, 9]) == 2)
        try m.sync()
        let (values, shape) = try NPYFile.readDoubles(path)
        #expect(shape == [3, 3])
        #expect(values == [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test func rowsTheStoreNeverCommittedAreCutOnReopen() throws {
        let path = temporaryPath("flux.npy")
        do {
            let m = try NPYMatrixAppender(path: path, columns: 2, committedRows: 0)
            try m.append([1, 2, 3, 4])
            try m.sync()
            try m.append([9, 9])  // a crash here: appended, never committed
        }
        let reopened = try NPYMatrixAppender(path: path, columns: 2, committedRows: 2)
        #expect(reopened.rows == 2)
        let (values, shape) = try NPYFile.readDoubles(path)
        #expect(shape == [2, 2] && values == [1, 2, 3, 4])
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 128 + 16)
    }

    @Test func aCacheShorterThanTheStoreIsAnError() throws {
        let path = temporaryPath("flux.npy")
        _ = try NPYMatrixAppender(path: path, columns: 2, committedRows: 0)
        #expect(throws: NPYError.self) { _ = try NPYMatrixAppender(path: path, columns: 2, committedRows: 5) }
        #expect(throws: NPYError.self) { _ = try NPYMatrixAppender(path: path, columns: 3, committedRows: 0) }
    }

    @Test func numpyLoadsTheCacheUnchanged() throws {
        guard let python = try crossCheckPython() else { return }
        let path = temporaryPath("flux.npy")
        let m = try NPYMatrixAppender(path: path, columns: 4, committedRows: 0)
        try m.append([0.5, -1, 2, 3e-8, 4, 5, 6, 7])
        try m.sync()
        let script = """
        import numpy as np, sys
        a = np.load(sys.argv[1], mmap_mode='r')
        assert a.dtype == np.float32 and a.shape == (2, 4), (a.dtype, a.shape)
        assert np.array_equal(a, np.array([[0.5, -1, 2, 3e-8], [4, 5, 6, 7]], dtype=np.float32))
        print('ok')
        """
        let result = try run(python, ["-c", script, path])
        #expect(result.status == 0, "\(result.output)")
    }
}
