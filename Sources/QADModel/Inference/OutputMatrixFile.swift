import Foundation
import QADCore
import QADFormats

/// A float32 [rows, columns] `.npy` file that inference appends to straight
/// from its buffers (pwrite, no intermediate copies). The 128-byte header's
/// row count is rewritten on `sync`; rows past the committed count (an
/// interrupted chunk) are cut off on open, as the store's progress says.
public final class OutputMatrixFile {
    let path: String
    let columns: Int
    private(set) var rows: Int
    /// Rows handed out by `mapRows` (committed or not).
    private var reservedRows: Int
    private let fd: Int32
    static let headerLength = 128

    public init(path: String, columns: Int, committedRows: Int) throws {
        self.path = path
        self.columns = columns
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && committedRows > 0 {
            throw LocatedError(file: path, message: "missing, but the store lists \(committedRows) rows of outputs in it")
        }
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw LocatedError(file: path, message: "cannot open (\(String(cString: strerror(errno))))") }
        if exists {
            var head = [UInt8](repeating: 0, count: Self.headerLength)
            let n = pread(fd, &head, head.count, 0)
            let header = n == head.count ? try? NPYHeader.parse(head, path: path) : nil
            let size = Int(lseek(fd, 0, SEEK_END))
            guard let header, header.descr == "<f4", header.shape.count == 2, header.shape[1] == columns, !header.fortranOrder,
                  header.dataOffset == Self.headerLength,
                  (size - Self.headerLength) / (4 * columns) >= committedRows else {
                close(fd)
                throw LocatedError(file: path, message: "not the \(columns)-column output matrix with \(committedRows) rows the store expects; use --force")
            }
        }
        rows = committedRows
        reservedRows = committedRows
        guard ftruncate(fd, off_t(Self.headerLength + 4 * columns * rows)) == 0 else {
            close(fd)
            throw LocatedError(file: path, message: "cannot truncate")
        }
        try writeHeader()
    }

    deinit { close(fd) }

    /// A writable window on the file for the next `count` rows: results are
    /// computed straight into the page cache (no copy through write(2)).
    /// `commit` makes them durable and counts them.
    public final class MappedRows: @unchecked Sendable {
        // @unchecked: workers write disjoint rows; only the writer queue commits.
        let base: UnsafeMutableRawPointer
        let length: Int
        public let pointer: UnsafeMutablePointer<Float>
        public let count: Int
        init(base: UnsafeMutableRawPointer, length: Int, pointer: UnsafeMutablePointer<Float>, count: Int) {
            self.base = base
            self.length = length
            self.pointer = pointer
            self.count = count
        }
        deinit { munmap(base, length) }
    }

    /// Extends the file by `count` rows and maps them. Windows are handed out
    /// and must be committed in order.
    public func mapRows(_ count: Int) throws -> MappedRows {
        let start = Self.headerLength + 4 * columns * reservedRows
        let end = start + 4 * columns * count
        guard ftruncate(fd, off_t(end)) == 0 else { throw LocatedError(file: path, message: "cannot extend (\(String(cString: strerror(errno))))") }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapStart = start / page * page
        // MAP_POPULATE faults the whole window in at once instead of page by page.
        guard let base = mmap(nil, end - mapStart, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off_t(mapStart)),
              base != MAP_FAILED else {
            throw LocatedError(file: path, message: "mmap failed (\(String(cString: strerror(errno))))")
        }
        reservedRows += count
        let p = (base + (start - mapStart)).assumingMemoryBound(to: Float.self)
        return MappedRows(base: base, length: end - mapStart, pointer: p, count: count)
    }

    /// Counts a filled window's rows. Its pages stay dirty in the page cache
    /// once unmapped; `sync` (fdatasync) writes them out with the rest.
    public func commit(_ mapped: MappedRows) {
        rows += mapped.count
    }

    /// Appends `count` rows stored contiguously at `values`.
    public func append(_ values: UnsafePointer<Float>, rows count: Int) throws {
        precondition(reservedRows == rows, "append after an uncommitted mapped window")
        var offset = Self.headerLength + 4 * columns * rows
        var remaining = 4 * columns * count
        var p = UnsafeRawPointer(values)
        while remaining > 0 {
            let n = pwrite(fd, p, remaining, off_t(offset))
            guard n > 0 else { throw LocatedError(file: path, message: "write failed (\(String(cString: strerror(errno))))") }
            offset += n
            remaining -= n
            p += n
        }
        rows += count
        reservedRows = rows
    }

    /// Makes appended rows durable and visible to NumPy.
    public func sync() throws {
        try writeHeader()
        guard fdatasync(fd) == 0 else { throw LocatedError(file: path, message: "fdatasync failed") }
    }

    private func writeHeader() throws {
        let bytes = NPYHeader(descr: "<f4", shape: [rows, columns]).bytes(length: Self.headerLength)
        guard pwrite(fd, bytes, bytes.count, 0) == bytes.count else { throw LocatedError(file: path, message: "cannot write header") }
    }
}
