import Foundation
import QADCore

/// The header of a NumPy `.npy` file: dtype, memory order and shape. Every
/// `.npy` qad reads or writes goes through this one codec (version 1.0 when
/// writing; versions 1, 2 and 3 when reading).
public struct NPYHeader: Sendable, Equatable {
    /// NumPy dtype text, e.g. "<f4".
    public var descr: String
    public var fortranOrder = false
    public var shape: [Int]
    /// Where the data starts (set when parsed).
    public var dataOffset = 0

    public init(descr: String, shape: [Int], fortranOrder: Bool = false) {
        self.descr = descr
        self.shape = shape
        self.fortranOrder = fortranOrder
    }

    /// The header block, padded with spaces to `length` bytes (a multiple of
    /// 64, so the data is aligned): a growing matrix rewrites its shape in
    /// place, so its length never changes. 128 bytes unless the shape needs more.
    public func bytes(length: Int? = nil) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        let prefix = 10  // magic (6) + version (2) + header length (2)
        let needed = prefix + dict.utf8.count + 1
        let total = length ?? max(128, (needed + 63) / 64 * 64)
        precondition(needed <= total, "npy header does not fit in \(total) bytes")
        dict += String(repeating: " ", count: total - needed) + "\n"
        let n = UInt16(dict.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xff), UInt8(n >> 8)] + Array(dict.utf8)
    }

    /// Parses the header at the start of `bytes` (at least the header's length;
    /// 4 kB is always enough for the matrices qad reads).
    public static func parse(_ bytes: [UInt8], path: String) throws -> NPYHeader {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw LocatedError(file: path, message: "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        guard (1...3).contains(major) else { throw LocatedError(file: path, message: ".npy format version \(major) is not supported") }
        guard major == 1 || bytes.count >= 12 else { throw LocatedError(file: path, message: "truncated .npy header") }
        let (length, start) = major == 1
            ? (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
            : ((0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }, 12)
        guard bytes.count >= start + length else { throw LocatedError(file: path, message: "truncated .npy header") }
        let text = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        func value(_ key: String) -> Substring? {
            guard let r = text.range(of: "'\(key)':") else { return nil }
            return text[r.upperBound...].drop { $0 == " " }
        }
        guard let d = value("descr"), d.first == "'", let dq = d.dropFirst().firstIndex(of: "'"),
              let s = value("shape"), s.first == "(", let close = s.firstIndex(of: ")"),
              let f = value("fortran_order") else {
            throw LocatedError(file: path, message: "unreadable .npy header \(text)")
        }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex)..<close].split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            guard let n = Int(t), n >= 0 else { throw LocatedError(file: path, message: "bad shape in .npy header \(text)") }
            shape.append(n)
        }
        var header = NPYHeader(descr: String(d[d.index(after: d.startIndex)..<dq]), shape: shape,
                               fortranOrder: f.hasPrefix("True"))
        header.dataOffset = start + length
        return header
    }
}
