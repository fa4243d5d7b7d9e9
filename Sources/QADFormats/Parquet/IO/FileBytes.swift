import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a Parquet file: memory-mapped from disk (so reading a 1 GB
/// file does not take 1 GB of heap, and only the column chunks asked for are
/// ever touched), or a private copy of bytes given in memory.
final class FileBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` is a file mapping (page advice applies only to those).
    let isMapped: Bool
    private let unmap: () -> Void

    init(mapping path: String) throws(ParquetError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ParquetError(file: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ParquetError(file: path, message: "cannot stat: \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ParquetError(file: path, message: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw ParquetError(file: path, message: "empty file, not Parquet") }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw ParquetError(file: path, message: "cannot map: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        isMapped = true
        unmap = { munmap(address, size) }
    }

    init(copying data: some Collection<UInt8>) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        // Contiguous storage (arrays, Data) is copied in one go.
        let copied: Void? = data.withContiguousStorageIfAvailable { source in
            if let base = source.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        if copied == nil { _ = buffer.initializeMemory(as: UInt8.self, from: data) }
        bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: data.count)
        isMapped = false
        unmap = { buffer.deallocate() }
    }

    deinit { unmap() }

    /// Drops mapped pages of a range already decoded from the process's
    /// resident set (they stay in the page cache), so RSS stays at about one
    /// row group however large the file. A no-op for in-memory bytes.
    func release(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard isMapped, let base = bytes.baseAddress, page > 0 else { return }
        let start = (range.lowerBound + page - 1) / page * page  // whole pages inside the range only
        let end = range.upperBound / page * page
        guard end > start, end <= bytes.count else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Int32(MADV_DONTNEED))
    }

    /// Asks the kernel to read a range ahead (large sequential chunk reads).
    func willNeed(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard isMapped, let base = bytes.baseAddress, page > 0, !range.isEmpty else { return }
        let start = range.lowerBound / page * page
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), range.upperBound - start, Int32(MADV_WILLNEED))
    }
}
