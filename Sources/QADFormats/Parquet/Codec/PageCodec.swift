import CSnappy
import CZlib
import CZstd

/// Page compression: decompression for reading, compression for writing.
/// Sizes are checked both ways, so a corrupt page is an error, never an
/// overrun.
enum PageCodec {
    /// Decompresses `input` into `output`, which must be exactly the page's
    /// declared uncompressed size.
    static func decompress(_ codec: ParquetCompressionCodec, _ input: UnsafeRawBufferPointer,
                           into output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        switch codec {
        case .uncompressed:
            guard input.count == output.count else {
                throw ParquetError("uncompressed page holds \(input.count) bytes but its header says \(output.count)")
            }
            if input.count > 0 { output.baseAddress!.copyMemory(from: input.baseAddress!, byteCount: input.count) }
        case .snappy: try snappy(input, output)
        case .zstd: try zstd(input, output)
        case .gzip: try gzip(input, output)
        default:
            throw ParquetError("unsupported compression codec \(codec) (qad reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD)")
        }
    }

    private static func snappy(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        let src = input.baseAddress?.assumingMemoryBound(to: CChar.self)
        var length = 0
        guard let src, snappy_uncompressed_length(src, input.count, &length) == SNAPPY_OK else {
            throw ParquetError("corrupt snappy data (no valid length header)")
        }
        guard length == output.count else {
            throw ParquetError("snappy data expands to \(length) bytes but the page header says \(output.count)")
        }
        if length == 0 { return }
        var outLength = output.count
        let status = snappy_uncompress(src, input.count, output.baseAddress!.assumingMemoryBound(to: CChar.self), &outLength)
        guard status == SNAPPY_OK, outLength == output.count else { throw ParquetError("corrupt snappy data") }
    }

    private static func zstd(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        guard let src = input.baseAddress, input.count > 0 else { throw ParquetError("empty zstd page") }
        // An empty output still needs a valid pointer for zstd.
        var one: UInt8 = 0
        let result = withUnsafeMutablePointer(to: &one) { spare in
            ZSTD_decompress(output.baseAddress ?? UnsafeMutableRawPointer(spare), output.count, src, input.count)
        }
        if ZSTD_isError(result) != 0 {
            throw ParquetError("corrupt zstd data: \(String(cString: ZSTD_getErrorName(result)))")
        }
        guard result == output.count else {
            throw ParquetError("zstd data expands to \(result) bytes but the page header says \(output.count)")
        }
    }

    private static func gzip(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        guard let src = input.baseAddress, input.count > 0 else { throw ParquetError("empty gzip page") }
        var stream = z_stream()
        // 15 + 32: accept gzip or zlib headers.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError("zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        // zlib wants a valid output pointer even for an empty page.
        let spare = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        defer { spare.deallocate() }
        stream.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(clamping: input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? spare
        stream.avail_out = UInt32(clamping: output.count)
        while true {
            let status = inflate(&stream, Z_FINISH)
            if status == Z_STREAM_END {
                // Concatenated gzip members: go on while input is left.
                if stream.avail_in > 0, stream.avail_out > 0 {
                    guard inflateReset(&stream) == Z_OK else { throw ParquetError("zlib could not restart") }
                    continue
                }
                break
            }
            if status == Z_BUF_ERROR, stream.avail_out == 0 {
                throw ParquetError("gzip data expands to more than the \(output.count) bytes the page header says")
            }
            if status == Z_BUF_ERROR, stream.avail_in == 0 {
                throw ParquetError("gzip data ends early")
            }
            guard status == Z_OK else {
                let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw ParquetError("corrupt gzip data: \(reason)")
            }
        }
        let produced = output.count - Int(stream.avail_out)
        guard produced == output.count else {
            throw ParquetError("gzip data expands to \(produced) bytes but the page header says \(output.count)")
        }
    }

    // MARK: writing

    /// Compresses a page body with the writer's codec.
    static func compress(_ compression: ParquetCompression, _ input: [UInt8]) throws(ParquetError) -> [UInt8] {
        switch compression {
        case .none:
            return input
        case .snappy:
            var capacity = snappy_max_compressed_length(input.count)
            var out = [UInt8](repeating: 0, count: capacity)
            let status = input.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    src.withMemoryRebound(to: CChar.self) { s in
                        dst.withMemoryRebound(to: CChar.self) { d in
                            snappy_compress(s.baseAddress, s.count, d.baseAddress, &capacity)
                        }
                    }
                }
            }
            guard status == SNAPPY_OK else { throw ParquetError("snappy compression failed") }
            out.removeSubrange(capacity...)
            return out
        case .zstd(let level):
            let bound = ZSTD_compressBound(input.count)
            var out = [UInt8](repeating: 0, count: bound)
            let written = input.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, Int32(level))
                }
            }
            guard ZSTD_isError(written) == 0 else {
                throw ParquetError("zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
            }
            out.removeSubrange(written...)
            return out
        case .gzip(let level):
            var stream = z_stream()
            // 15 + 16: a gzip header, as the Parquet GZIP codec requires.
            guard deflateInit2_(&stream, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ParquetError("zlib could not start deflating")
            }
            defer { deflateEnd(&stream) }
            let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
            var out = [UInt8](repeating: 0, count: bound)
            var source = input
            let status = source.withUnsafeMutableBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    stream.next_in = src.baseAddress
                    stream.avail_in = UInt32(src.count)
                    stream.next_out = dst.baseAddress
                    stream.avail_out = UInt32(dst.count)
                    return deflate(&stream, Z_FINISH)
                }
            }
            guard status == Z_STREAM_END else { throw ParquetError("gzip compression failed (status \(status))") }
            out.removeSubrange(Int(stream.total_out)...)
            return out
        }
    }
}

/// The page compression a writer uses.
public enum ParquetCompression: Sendable, Equatable {
    case none
    case snappy
    /// zstd at a level (1 is what pyarrow uses by default).
    case zstd(level: Int = 1)
    /// gzip at a zlib level (6 is zlib's default).
    case gzip(level: Int = 6)

    var codec: ParquetCompressionCodec {
        switch self {
        case .none: .uncompressed
        case .snappy: .snappy
        case .zstd: .zstd
        case .gzip: .gzip
        }
    }
}
