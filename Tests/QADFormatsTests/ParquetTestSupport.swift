import Foundation
import QADCore
import QADTestSupport
@testable import QADFormats

/// Canonical text of column values, exact for every type; the same form
/// tools/parquet_interop.py writes, so rows compare as strings.
enum ParquetCanonical {
    static func hex<T: FixedWidthInteger>(_ v: T, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    static func value(_ values: ParquetValues, _ i: Int) -> String {
        switch values {
        case .boolean(let v): return v[i] ? "true" : "false"
        case .int32(let v): return String(v[i])
        case .int64(let v): return String(v[i])
        case .float(let v): return "f:" + hex(v[i].bitPattern, digits: 8)
        case .double(let v): return "d:" + hex(v[i].bitPattern, digits: 16)
        case .bytes(let v, let isText):
            return isText ? "s:" + v.string(i) : "x:" + v[i].map { hex($0, digits: 2) }.joined()
        }
    }

    static func rows(_ c: ParquetColumn) -> [String] {
        (0..<c.rowCount).map { row in
            if c.isNull(row: row) { return "null" }
            guard c.isList else { return value(c.values, row) }
            let items = c.elements(ofRow: row).map { slot in
                c.elementValidity.map { $0[slot] } == false ? "null" : value(c.values, slot)
            }
            return "[" + items.joined(separator: ",") + "]"
        }
    }

    static func typeName(_ c: ParquetColumn) -> String {
        let base = switch c.values {
        case .boolean: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .float: "float"
        case .double: "double"
        case .bytes(_, let isText): isText ? "string" : "binary"
        }
        return c.isList ? "list<\(base)>" : base
    }
}

/// A fixture's expected content, from its .json.
struct ParquetExpectation {
    var numRows: Int
    var numRowGroups: Int
    var types: [String: String]
    var rows: [String: [String]]

    init(json path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        numRows = object["num_rows"] as! Int
        numRowGroups = object["num_row_groups"] as! Int
        types = object["types"] as! [String: String]
        rows = object["rows"] as! [String: [String]]
    }

    /// Writes qad's view of a table in the same form, for the Python check.
    static func write(_ table: ParquetTable, rowGroups: Int, to path: String) throws {
        var types: [String: String] = [:]
        var rows: [String: [String]] = [:]
        for c in table.columns {
            types[c.name] = ParquetCanonical.typeName(c)
            rows[c.name] = ParquetCanonical.rows(c)
        }
        let object: [String: Any] = ["num_rows": table.rowCount, "num_row_groups": rowGroups, "types": types, "rows": rows]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }
}

/// Fixtures written once per test run by pyarrow (tools/parquet_interop.py).
enum PyarrowFixtures {
    static let script = packageRoot.appendingPathComponent("tools/parquet_interop.py").path

    /// The fixture folder, or nil when no cross-check Python is configured.
    static let directory: Result<String?, Error> = Result {
        guard let python = try crossCheckPython() else { return nil }
        let dir = temporaryDirectory()
        let result = try run(python, [script, "fixtures", dir])
        guard result.status == 0 else { throw FixtureFailure(output: result.output) }
        return dir
    }

    struct FixtureFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "tools/parquet_interop.py fixtures failed:\n\(output)" }
    }
}

/// Seeded generator for reproducible test data.
typealias SeededRandom = SplitMix64

/// Tables of every type qad writes, with nulls at row and element level,
/// empty lists and awkward values (NaN, ±inf, -0, extreme integers, UTF-8).
enum ParquetSamples {
    static let words = ["QSO", "GALAXY", "STAR", "", "Lyα forest", "ünïcødé ✓", String(repeating: "x", count: 300)]

    static func fields(nullable: Bool = true) -> [ParquetField] {
        [
            .column("flag", .boolean, nullable: nullable), .column("fiber", .int32, nullable: nullable),
            .column("targetid", .int64, nullable: nullable), .column("flux32", .float, nullable: nullable),
            .column("z", .double, nullable: nullable), .column("spectype", .string, nullable: nullable),
            .column("blob", .binary, nullable: nullable),
            .list("flux", of: .double, nullable: nullable, elementNullable: nullable),
            .list("wavelength", of: .float, nullable: nullable, elementNullable: nullable),
            .list("mask_array", of: .int64, nullable: nullable, elementNullable: nullable),
            .list("lines", of: .string, nullable: nullable, elementNullable: nullable),
            .list("bits", of: .boolean, nullable: nullable, elementNullable: nullable),
            .list("ints", of: .int32, nullable: nullable, elementNullable: nullable),
        ]
    }

    static func columns(rows n: Int, seed: UInt64, nulls: Bool) -> [ParquetColumn] {
        var rng = SeededRandom(seed: seed)
        func validity(_ p: Double) -> [Bool]? {
            guard nulls else { return nil }
            return (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) >= p }
        }
        func flat(_ name: String, _ values: ParquetValues) -> ParquetColumn {
            ParquetColumn(name: name, values: values, validity: validity(0.15))
        }
        var f32 = (0..<n).map { _ in Float.random(in: -1e3...1e3, using: &rng) }
        var f64 = (0..<n).map { _ in Double.random(in: -1e6...1e6, using: &rng) }
        var i64 = (0..<n).map { _ in Int64.random(in: .min ... .max, using: &rng) }
        if n >= 6 {
            f32.replaceSubrange(0..<6, with: [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude])
            f64.replaceSubrange(0..<5, with: [.nan, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude])
            i64.replaceSubrange(0..<3, with: [39_633_559_463_397_282, -1, .max])
        }
        let lengths = (0..<n).map { _ in Int.random(in: 0..<12, using: &rng) }
        func list(_ name: String, _ make: (Int, inout SeededRandom) -> ParquetValues) -> ParquetColumn {
            var offsets = [0]
            for k in lengths { offsets.append(offsets.last! + k) }
            let values = make(offsets.last!, &rng)
            let elementValidity = nulls ? (0..<values.count).map { _ in Double.random(in: 0..<1, using: &rng) >= 0.1 } : nil
            var rowValidity = validity(0.1)
            // Null lists have no elements, as Arrow writers lay them out.
            if let v = rowValidity {
                var compact = [0]
                var kept: [Int] = []
                for r in 0..<n {
                    if v[r] { kept += Array(offsets[r]..<offsets[r + 1]) }
                    compact.append(kept.count)
                }
                rowValidity = v
                return ParquetColumn(name: name, values: values.slots(kept), validity: rowValidity, offsets: compact,
                                     elementValidity: elementValidity.map { ev in kept.map { ev[$0] } })
            }
            return ParquetColumn(name: name, values: values, validity: nil, offsets: offsets, elementValidity: elementValidity)
        }
        return [
            flat("flag", .boolean((0..<n).map { _ in Bool.random(using: &rng) })),
            flat("fiber", .int32((0..<n).map { _ in Int32.random(in: .min ... .max, using: &rng) })),
            flat("targetid", .int64(i64)),
            flat("flux32", .float(f32)),
            flat("z", .double(f64)),
            flat("spectype", .strings((0..<n).map { _ in words.randomElement(using: &rng)! })),
            flat("blob", .binary((0..<n).map { _ in (0..<Int.random(in: 0..<9, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) } })),
            list("flux") { k, r in .double((0..<k).map { _ in Double.random(in: -1...1, using: &r) }) },
            list("wavelength") { k, _ in .float((0..<k).map { Float(3600 + 0.8 * Double($0)) }) },
            list("mask_array") { k, r in .int64((0..<k).map { _ in Int64.random(in: 0...2, using: &r) }) },
            list("lines") { k, r in .strings((0..<k).map { _ in words.randomElement(using: &r)! }) },
            list("bits") { k, r in .boolean((0..<k).map { _ in Bool.random(using: &r) }) },
            list("ints") { k, r in .int32((0..<k).map { _ in Int32.random(in: -1000...1000, using: &r) }) },
        ]
    }
}

extension ParquetValues {
    /// The values at the given slots, in order.
    func slots(_ indices: [Int]) -> ParquetValues {
        switch self {
        case .boolean(let v): .boolean(indices.map { v[$0] })
        case .int32(let v): .int32(indices.map { v[$0] })
        case .int64(let v): .int64(indices.map { v[$0] })
        case .float(let v): .float(indices.map { v[$0] })
        case .double(let v): .double(indices.map { v[$0] })
        case .bytes(let v, let isText): .bytes(ParquetByteArrays(indices.map { Array(v[$0]) }), isText: isText)
        }
    }
}

/// Byte-level surgery on Parquet files for the bad-input tests.
enum ParquetSurgery {
    static func footerStart(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        let length = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8 | Int(bytes[n - 6]) << 16 | Int(bytes[n - 5]) << 24
        return n - 8 - length
    }

    static func metadata(_ bytes: [UInt8]) throws -> ParquetFileMetadata {
        let start = footerStart(bytes)
        return try bytes.withUnsafeBytes { raw in
            var reader = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: raw[start..<(raw.count - 8)]))
            return try ParquetFileMetadata.decode(&reader)
        }
    }

    /// The same data pages under a rewritten footer.
    static func rewriteFooter(_ bytes: [UInt8], _ change: (inout ParquetFileMetadata) -> Void) throws -> [UInt8] {
        var meta = try metadata(bytes)
        change(&meta)
        let footer = meta.encode()
        var out = Array(bytes[..<footerStart(bytes)])
        out += footer
        withUnsafeBytes(of: UInt32(footer.count).littleEndian) { out += $0 }
        out += Array("PAR1".utf8)
        return out
    }

    /// Replaces a page header with another encoding of it (sizes may change,
    /// shifting what follows; the error expected comes first).
    static func rewritePageHeader(_ bytes: [UInt8], at offset: Int, bodyOffset: Int,
                                  _ change: (inout ParquetPageHeader) -> Void) throws -> [UInt8] {
        var header = try bytes.withUnsafeBytes { raw in
            var reader = ThriftCompactReader(raw, at: offset)
            return try ParquetPageHeader.decode(&reader)
        }
        change(&header)
        return Array(bytes[..<offset]) + header.encode() + Array(bytes[bodyOffset...])
    }
}

extension ParquetCanonical {
    /// Bit-for-bit equality of two columns' contents (NaNs compare by their
    /// bits; absent validity equals all-valid). Much faster than comparing text.
    static func sameContent(_ a: ParquetColumn, _ b: ParquetColumn) -> Bool {
        func bits<T>(_ x: [T], _ y: [T]) -> Bool {
            x.count == y.count && x.withUnsafeBytes { p in y.withUnsafeBytes { q in p.elementsEqual(q) } }
        }
        func validity(_ v: [Bool]?, _ w: [Bool]?, _ n: Int) -> Bool {
            (v ?? [Bool](repeating: true, count: n)) == (w ?? [Bool](repeating: true, count: n))
        }
        guard a.name == b.name, a.rowCount == b.rowCount, a.offsets == b.offsets, a.values.count == b.values.count,
              validity(a.validity, b.validity, a.rowCount),
              validity(a.elementValidity, b.elementValidity, a.values.count) else { return false }
        switch (a.values, b.values) {
        case (.boolean(let x), .boolean(let y)): return x == y
        case (.int32(let x), .int32(let y)): return bits(x, y)
        case (.int64(let x), .int64(let y)): return bits(x, y)
        case (.float(let x), .float(let y)): return bits(x, y)
        case (.double(let x), .double(let y)): return bits(x, y)
        case (.bytes(let x, let t), .bytes(let y, let u)): return x == y && t == u
        default: return false
        }
    }
}
