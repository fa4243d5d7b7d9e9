/// Field and element types of the Thrift compact protocol.
enum ThriftType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
    case binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// Decodes Thrift compact-protocol structs from untrusted bytes. Every read
/// is bounds-checked; list and string sizes cannot exceed the bytes left (each
/// element takes at least one byte), and nesting is capped, so corrupt input
/// gives an error, never a crash, a hang or a huge allocation.
struct ThriftCompactReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private var depth = 0
    static let maxDepth = 64

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    private func truncated(_ what: String) -> ParquetError {
        ParquetError("thrift data truncated reading \(what) at byte \(position)")
    }

    mutating func readByte() throws(ParquetError) -> UInt8 {
        guard position < bytes.count else { throw truncated("a byte") }
        let b = bytes[position]
        position += 1
        return b
    }

    mutating func readVarint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw truncated("a varint") }
            let b = bytes[position]
            position += 1
            if shift == 63, b > 1 { throw ParquetError("thrift varint overflows 64 bits at byte \(position - 1)") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError("thrift varint longer than 10 bytes at byte \(position)") }
        }
    }

    mutating func readI64() throws(ParquetError) -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))  // zigzag
    }

    mutating func readI32() throws(ParquetError) -> Int32 {
        let v = try readI64()
        guard let r = Int32(exactly: v) else { throw ParquetError("thrift i32 value \(v) out of range") }
        return r
    }

    mutating func readI16() throws(ParquetError) -> Int16 {
        let v = try readI64()
        guard let r = Int16(exactly: v) else { throw ParquetError("thrift i16 value \(v) out of range") }
        return r
    }

    mutating func readDouble() throws(ParquetError) -> Double {
        guard remaining >= 8 else { throw truncated("a double") }
        let bits = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    mutating func readBinary() throws(ParquetError) -> [UInt8] {
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw ParquetError("thrift data truncated or corrupt: a binary of \(length) bytes exceeds the \(remaining) bytes left")
        }
        let n = Int(length)
        let out = Array(bytes[position..<(position + n)])
        position += n
        return out
    }

    mutating func readString() throws(ParquetError) -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// Element type and count of a list or set.
    mutating func readListHeader() throws(ParquetError) -> (elementType: UInt8, count: Int) {
        let header = try readByte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        // Every element takes at least one byte, so a larger count is corrupt.
        guard count <= UInt64(remaining) else {
            throw ParquetError("thrift data truncated or corrupt: a list of \(count) elements exceeds the \(remaining) bytes left")
        }
        return (header & 0x0f, Int(count))
    }

    /// Reads a struct, calling `field` for every field with its id and type; the
    /// callback reads the value or calls `skip`. Stops at the STOP field.
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, UInt8) throws(ParquetError) -> Void) throws(ParquetError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw ParquetError("thrift structs nested deeper than \(Self.maxDepth)") }
        var lastID: Int16 = 0
        while true {
            let header = try readByte()
            let type = header & 0x0f
            if type == ThriftType.stop.rawValue { return }
            let delta = header >> 4
            let id: Int16
            if delta != 0 {
                let (sum, overflow) = lastID.addingReportingOverflow(Int16(delta))
                guard !overflow else { throw ParquetError("thrift field id overflows") }
                id = sum
            } else {
                id = try readI16()
            }
            lastID = id
            try field(&self, id, type)
        }
    }

    /// Reads a list, calling `element` once per element.
    mutating func readList(_ element: (inout ThriftCompactReader, UInt8) throws(ParquetError) -> Void) throws(ParquetError) {
        let (type, count) = try readListHeader()
        for _ in 0..<count { try element(&self, type) }
    }

    /// A boolean field's value is in its type nibble; a list element is a byte.
    func boolValue(fieldType type: UInt8) throws(ParquetError) -> Bool {
        switch type {
        case ThriftType.boolTrue.rawValue: return true
        case ThriftType.boolFalse.rawValue: return false
        default: throw ParquetError("thrift field of type \(type) where a boolean was expected")
        }
    }

    /// Skips a value of the given type, including nested containers.
    mutating func skip(_ type: UInt8) throws(ParquetError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw ParquetError("thrift values nested deeper than \(Self.maxDepth)") }
        guard let t = ThriftType(rawValue: type) else { throw ParquetError("unknown thrift type \(type) at byte \(position)") }
        switch t {
        case .stop: throw ParquetError("unexpected thrift STOP at byte \(position)")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double:
            guard remaining >= 8 else { throw truncated("a double") }
            position += 8
        case .binary:
            let n = try readVarint()
            guard n <= UInt64(remaining) else { throw ParquetError("thrift data truncated or corrupt: a binary of \(n) bytes exceeds the \(remaining) bytes left") }
            position += Int(n)
        case .list, .set:
            let (elementType, count) = try readListHeader()
            for _ in 0..<count {
                // Booleans inside lists are one byte each.
                if elementType == ThriftType.boolTrue.rawValue || elementType == ThriftType.boolFalse.rawValue {
                    _ = try readByte()
                } else {
                    try skip(elementType)
                }
            }
        case .map:
            let count = try readVarint()
            guard count <= UInt64(remaining) else { throw ParquetError("thrift map of \(count) entries exceeds the bytes left") }
            if count == 0 { return }
            let types = try readByte()
            for _ in 0..<Int(count) {
                try skip(types >> 4)
                try skip(types & 0x0f)
            }
        case .structure:
            try readStruct { r, _, type throws(ParquetError) in try r.skip(type) }
        }
    }
}
