import Foundation
import QADCore

/// NumPy `.npy` (format 1.0, little-endian, C order) files: small arrays are
/// written whole; the spectral cache grows row by row through `NPYMatrixAppender`.
public enum NPYFile {
    public static func write(_ values: [Double], shape: [Int]? = nil, to path: String) throws {
        var data = Data(NPYHeader(descr: "<f8", shape: shape ?? [values.count]).bytes())
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func write(_ values: [Float], shape: [Int]? = nil, to path: String) throws {
        var data = Data(NPYHeader(descr: "<f4", shape: shape ?? [values.count]).bytes())
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a float64 or float32 `.npy` (as Double) with its shape.
    public static func readDoubles(_ path: String) throws -> (values: [Double], shape: [Int]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = try NPYHeader.parse([UInt8](data.prefix(4096)), path: path)
        let shape = header.shape
        guard !header.fortranOrder else { throw LocatedError(file: path, message: "Fortran order not supported") }
        let count = shape.reduce(1, *)
        let body = data.subdata(in: header.dataOffset..<data.count)
        switch header.descr {
        case "<f8":
            guard body.count >= count * 8 else { throw LocatedError(file: path, message: "file shorter than its shape \(shape)") }
            return (body.withUnsafeBytes { Array($0.bindMemory(to: Double.self).prefix(count)) }, shape)
        case "<f4":
            guard body.count >= count * 4 else { throw LocatedError(file: path, message: "file shorter than its shape \(shape)") }
            return (body.withUnsafeBytes { $0.bindMemory(to: Float.self).prefix(count).map(Double.init) }, shape)
        default:
            throw LocatedError(file: path, message: "unsupported dtype \(header.descr)")
        }
    }

}

/// A float32 matrix in a `.npy` file that grows by whole rows. The header's
/// row count is rewritten in place after each append, so NumPy (`np.load`,
/// `mmap_mode='r'`) always sees a consistent matrix. Rows beyond `rows` (left
/// by a crash before the store committed them) are cut off on open.
public final class NPYMatrixAppender {
    public let path: String
    public let columns: Int
    public private(set) var rows: Int
    private let handle: FileHandle
    static let headerLength = 128

    /// Opens or creates the matrix, keeping exactly `committedRows` rows.
    public init(path: String, columns: Int, committedRows: Int) throws {
        self.path = path
        self.columns = columns
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard committedRows == 0 else {
                throw LocatedError(file: path, message: "cache file missing but the store lists \(committedRows) rows in it")
            }
            guard fm.createFile(atPath: path, contents: Data(NPYHeader(descr: "<f4", shape: [0, columns]).bytes(length: Self.headerLength))) else {
                throw LocatedError(file: path, message: "cannot create the cache matrix")
            }
        } else {
            let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            let headData = try head.read(upToCount: Self.headerLength) ?? Data()
            try head.close()
            let header = try NPYHeader.parse([UInt8](headData), path: path)
            guard header.descr == "<f4", header.shape.count == 2, header.shape[1] == columns, !header.fortranOrder,
                  header.dataOffset == Self.headerLength else {
                throw LocatedError(file: path, message: "cache matrix has dtype \(header.descr) shape \(header.shape); expected <f4 with \(columns) columns")
            }
            let size = try fm.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            let available = (size - Self.headerLength) / (4 * columns)
            guard available >= committedRows else {
                throw LocatedError(file: path, message: "cache matrix holds \(available) rows but the store lists \(committedRows)")
            }
        }
        handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        rows = committedRows
        try handle.truncate(atOffset: UInt64(Self.headerLength + 4 * columns * committedRows))
        try writeHeader()
    }

    deinit { try? handle.close() }

    /// Appends rows (row-major, `columns` values each); returns the first new row index.
    @discardableResult
    public func append(_ values: [Float]) throws -> Int {
        precondition(values.count % columns == 0)
        let first = rows
        try handle.seek(toOffset: UInt64(Self.headerLength + 4 * columns * rows))
        try values.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        rows += values.count / columns
        return first
    }

    /// Appends whole rows; returns the first new row index. The rows' blocks
    /// are allocated first (`fallocate`) and the rows written straight from
    /// their arrays, 64 per call (`pwritev`): ext4 then writes them, and
    /// starts their writeback, several times cheaper than row by row into
    /// blocks it allocates as it goes.
    @discardableResult
    public func append(rows: [[Float]]) throws -> Int {
        let start = self.rows
        guard !rows.isEmpty else { return start }
        let rowBytes = 4 * columns
        var offset = Self.headerLength + rowBytes * self.rows
        if let allocate = Self.fallocate {
            _ = allocate(handle.fileDescriptor, 0, Int64(offset), Int64(rowBytes * rows.count))  // a hint: may be unsupported
        }
        for first in stride(from: 0, to: rows.count, by: Self.rowsPerWrite) {
            let part = rows[first..<min(first + Self.rowsPerWrite, rows.count)]
            var vectors: [iovec] = []
            vectors.reserveCapacity(part.count)
            // Each row's storage is only borrowed inside its closure: nest one
            // closure per row, and write from the innermost.
            func gather(_ k: Int) throws {
                guard k < part.endIndex else { return try writeFully(vectors, at: offset) }
                precondition(part[k].count == columns)
                try part[k].withUnsafeBytes { bytes in
                    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), iov_len: rowBytes))
                    try gather(k + 1)
                }
            }
            try gather(part.startIndex)
            offset += rowBytes * part.count
        }
        self.rows += rows.count
        return start
    }

    /// Rows gathered by one `pwritev`.
    static let rowsPerWrite = 64

    /// pwritev until every byte is written (it may write less than asked).
    private func writeFully(_ vectors: [iovec], at offset: Int) throws {
        var vectors = vectors
        var offset = offset
        var first = 0
        while first < vectors.count {
            let n = vectors.withUnsafeBufferPointer {
                pwritev(handle.fileDescriptor, $0.baseAddress! + first, Int32(vectors.count - first), off_t(offset))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw LocatedError(file: path, message: "cannot write cache rows: \(String(cString: strerror(errno)))")
            }
            offset += n
            var left = n
            while first < vectors.count, left >= vectors[first].iov_len {
                left -= vectors[first].iov_len
                first += 1
            }
            if left > 0 {
                vectors[first].iov_base += left
                vectors[first].iov_len -= left
            }
        }
    }

    /// fallocate (Linux), looked up at run time like `syncFileRange`.
    private static let fallocate: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fallocate64") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32).self)
    }()

    /// Makes appended rows visible in the header (to NumPy and to a later
    /// open). Not durable across a power cut until `sync()`.
    public func publish() throws {
        try writeHeader()
    }

    /// Starts writing `rows` to disk without waiting: the final `sync` then
    /// has little left to flush (a 20k-spectrum ingest otherwise ends with
    /// 0.2 s of fsync while the cores idle).
    public func startWriteback(rows: Range<Int>) {
        guard !rows.isEmpty, let start = Self.syncFileRange else { return }
        let rowBytes = 4 * columns
        _ = start(handle.fileDescriptor, Int64(Self.headerLength + rowBytes * rows.lowerBound),
                  Int64(rowBytes * rows.count), 2)  // SYNC_FILE_RANGE_WRITE
    }

    /// sync_file_range (Linux), looked up at run time: Glibc's module map does not declare it.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()

    /// Publishes and flushes to disk.
    public func sync() throws {
        try writeHeader()
        try handle.synchronize()
    }

    /// Whole rows a matrix file holds (by its size), or 0 when it is missing.
    /// Fewer rows than the store committed means the file lost its tail (a
    /// power cut before the data reached the disk); ingest then redoes those files.
    public static func availableRows(path: String, columns: Int) -> Int {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, size >= headerLength else { return 0 }
        return (size - headerLength) / (4 * columns)
    }

    private func writeHeader() throws {
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(NPYHeader(descr: "<f4", shape: [rows, columns]).bytes(length: Self.headerLength)))
    }
}
