import CCFITSIO
import Foundation

/// Where the pixels of an uncompressed image HDU lie in its file and how they
/// are stored, so large blocks of rows can be read straight into memory (one
/// `pread` per block) instead of through cfitsio's 2880-byte buffers.
public struct FITSRawImageLayout: Sendable, Equatable {
    /// Byte offset of the first pixel.
    public var dataOffset: Int
    /// Bytes of the data unit (without the padding to 2880).
    public var dataBytes: Int
    /// Stored BITPIX (before BSCALE/BZERO).
    public var bitpix: Int32
    public var bscale: Double
    public var bzero: Double
}

extension FITSFile {
    /// The layout of the current image HDU, or nil when its pixels cannot be
    /// read directly: a tile-compressed image, or a file cfitsio decompressed
    /// into memory (gzip), where offsets do not refer to the bytes on disk.
    public func rawImageLayout() throws -> FITSRawImageLayout? {
        guard try currentKind() == .image else { throw fail("not an image HDU") }
        var status: Int32 = 0
        if fits_is_compressed_image(handle, &status) != 0 { return nil }
        try check(status, "cannot read HDU type")
        guard Self.isPlainFile(path) else { return nil }
        var headStart: Int64 = 0, dataStart: Int64 = 0, dataEnd: Int64 = 0
        ffghadll(handle, &headStart, &dataStart, &dataEnd, &status)
        try check(status, "cannot locate image data")
        var bitpix: Int32 = 0
        ffgidt(handle, &bitpix, &status)
        try check(status, "cannot read BITPIX")
        let count = try imageShape().reduce(1, *)
        return FITSRawImageLayout(dataOffset: Int(dataStart), dataBytes: count * Int(abs(bitpix) / 8),
                                  bitpix: bitpix, bscale: try doubleKey("BSCALE") ?? 1, bzero: try doubleKey("BZERO") ?? 0)
    }

    /// Whether the file on disk is itself FITS (starts with "SIMPLE"), not a
    /// compressed stream cfitsio expands.
    static func isPlainFile(_ path: String) -> Bool {
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 6)
        return fread(&head, 1, 6, f) == 6 && head == Array("SIMPLE".utf8)
    }
}
