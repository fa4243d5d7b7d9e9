import Foundation
import QADCore

/// A float32 [rows, columns] `.npy` matrix mapped read-only into memory: the
/// spectral cache is read in place, pages come from the OS page cache, and a
/// survey larger than RAM still trains (the kernel evicts clean pages).
public final class MappedNPYMatrix: @unchecked Sendable {
    // @unchecked: read-only mapping.
    public let path: String
    /// Rows used: the store's committed count (the file may hold more).
    public let rows: Int
    public let columns: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappedLength: Int
    private let dataOffset: Int

    /// Maps `path`, using its first `rows` rows (all when nil).
    public init(path: String, rows wanted: Int? = nil) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw LocatedError(file: path, message: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LocatedError(file: path, message: "cannot stat") }
        let size = Int(st.st_size)
        var head = [UInt8](repeating: 0, count: min(size, 4096))
        guard pread(fd, &head, head.count, 0) == head.count else { throw LocatedError(file: path, message: "cannot read header") }
        let header = try NPYHeader.parse(head, path: path)
        guard header.descr == "<f4", header.shape.count == 2, !header.fortranOrder else {
            throw LocatedError(file: path, message: "expected a C-order float32 matrix, found \(header.descr) \(header.shape)")
        }
        columns = header.shape[1]
        let available = columns > 0 ? (size - header.dataOffset) / (4 * columns) : 0
        let n = wanted ?? header.shape[0]
        guard n <= available else {
            throw LocatedError(file: path, message: "\(n) rows wanted, the file holds \(available)")
        }
        rows = n
        dataOffset = header.dataOffset
        mappedLength = max(1, header.dataOffset + 4 * rows * columns)
        guard let m = mmap(nil, mappedLength, PROT_READ, MAP_SHARED, fd, 0), m != MAP_FAILED else {
            throw LocatedError(file: path, message: "mmap failed (\(String(cString: strerror(errno))))")
        }
        mapping = m
    }

    deinit { munmap(mapping, mappedLength) }

    @inline(__always)
    public func row(_ r: Int) -> UnsafePointer<Float> {
        UnsafePointer((mapping + dataOffset).assumingMemoryBound(to: Float.self) + r * columns)
    }

    /// Tells the kernel how rows will be read.
    public func advise(random: Bool) {
        _ = madvise(mapping, mappedLength, random ? MADV_RANDOM : MADV_SEQUENTIAL)
    }

    /// Drops rows [range] from this process's resident set (they stay in the
    /// page cache): streaming passes keep a flat RSS however big the cache is.
    public func release(rows range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = dataOffset + 4 * columns * range.lowerBound
        let end = dataOffset + 4 * columns * range.upperBound
        let alignedStart = (start / page) * page
        guard end > alignedStart else { return }
        _ = madvise(mapping + alignedStart, end - alignedStart, MADV_DONTNEED)
    }
}
