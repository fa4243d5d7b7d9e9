import CZlib
import Foundation

/// Writes an 8-bit RGB image as PNG: signature, IHDR, one zlib-compressed
/// IDAT (filter byte 0 on every row), IEND; chunk CRCs from zlib's crc32.
enum PNGEncoder {
    struct EncodingError: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
        precondition(rgb.count == width * height * 3)
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + width * 3))
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: rgb[(y * width * 3)..<((y + 1) * width * 3)])
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type RGB, deflate, adaptive filters, no interlace
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", try deflate(raw), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    private static func deflate(_ data: [UInt8]) throws -> [UInt8] {
        var destLength = compressBound(uLong(data.count))
        var dest = [UInt8](repeating: 0, count: Int(destLength))
        let status = data.withUnsafeBufferPointer { src in
            compress2(&dest, &destLength, src.baseAddress, uLong(data.count), 6)
        }
        guard status == Z_OK else { throw EncodingError(description: "PNG: zlib compress2 failed with status \(status)") }
        return Array(dest[0..<Int(destLength)])
    }

    private static func appendChunk(_ type: String, _ payload: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian(UInt32(payload.count))
        var crc = crc32(0, nil, 0)
        crc = typeBytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt(typeBytes.count)) }
        if !payload.isEmpty {
            crc = payload.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt(payload.count)) }
        }
        out += typeBytes + payload + bigEndian(UInt32(truncatingIfNeeded: crc))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }
}
