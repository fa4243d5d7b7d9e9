import Foundation
import QADCore

/// The safetensors format (Hugging Face): an 8-byte little-endian header
/// length, a JSON header naming each tensor's dtype, shape and byte range, then
/// the raw little-endian data. Only F32 is needed here. PyTorch, NumPy and JAX
/// load these files with the `safetensors` package.
public enum SafeTensors {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]
        public init(name: String, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) for \(values.count) values")
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// The file's bytes. Tensors are stored in the order given; metadata is a
    /// string map (`__metadata__`).
    public static func encode(_ entries: [Entry], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for e in entries {
            guard header[e.name] == nil, e.name != "__metadata__" else { throw LocatedError("duplicate tensor name \(e.name)") }
            let bytes = 4 * e.values.count
            header[e.name] = ["dtype": "F32", "shape": e.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        for e in entries { e.values.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    /// Reads every tensor (F32 only) and the metadata.
    public static func decode(_ data: Data, path: String) throws -> (entries: [String: Entry], metadata: [String: String]) {
        guard data.count >= 8 else { throw LocatedError("\(path): not a safetensors file (too short)") }
        let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard n > 0, 8 + n <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] else {
            throw LocatedError("\(path): unreadable safetensors header")
        }
        let body = data.subdata(in: (8 + n)..<data.count)
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw LocatedError("\(path): tensor \(name) has an unreadable header entry")
            }
            guard dtype == "F32" else { throw LocatedError("\(path): tensor \(name) is \(dtype); qad reads F32") }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] == offsets[0] + 4 * count, offsets[1] <= body.count else {
                throw LocatedError("\(path): tensor \(name) byte range \(offsets) does not match shape \(shape)")
            }
            let values = body.subdata(in: offsets[0]..<offsets[1]).withUnsafeBytes { raw in
                (0..<count).map { i in Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            }
            entries[name] = Entry(name: name, shape: shape, values: values)
        }
        return (entries, metadata)
    }
}
