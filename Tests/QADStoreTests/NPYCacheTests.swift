import Foundation
import QADCore
import QADFormats
import QADTestSupport
import Testing
@testable import QADStore

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

    @Test func rowsAppendedFromTheirOwnArraysFollowEarlierRows() throws {
        let path = temporaryPath("flux.npy")
        let m = try NPYMatrixAppender(path: path, columns: 3, committedRows: 0)
        #expect(try m.append([1, 2, 3]) == 0)
        #expect(try m.append(rows: [[4, 5, 6], [7, 8, 9]]) == 1)
        #expect(try m.append(rows: []) == 3)
        #expect(try m.append([10, 11, 12]) == 3)
        try m.sync()
        let (values, shape) = try NPYFile.readDoubles(path)
        #expect(shape == [4, 3])
        #expect(values == (1...12).map(Double.init))
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
        #expect(throws: LocatedError.self) { _ = try NPYMatrixAppender(path: path, columns: 2, committedRows: 5) }
        #expect(throws: LocatedError.self) { _ = try NPYMatrixAppender(path: path, columns: 3, committedRows: 0) }
    }

    @Test(.needs(.python)) func numpyLoadsTheCacheUnchanged() throws {
        let python = try requirePython()
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
