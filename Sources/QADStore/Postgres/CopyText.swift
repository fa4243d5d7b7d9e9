import Foundation
import PostgresNIO
import QADCore

/// Rows in COPY's text format (tab-separated, `\N` for NULL, backslash
/// escapes): values go to the server as data, never as SQL, and a batch of
/// thousands of rows costs one round trip instead of one per row.
struct CopyTextEncoder {
    private(set) var buffer = ByteBuffer()
    private var first = true
    private(set) var rows = 0

    mutating func field(_ value: String?) {
        separate()
        guard let value else { return null() }
        // Most text (paths, names) needs no escaping: copy its bytes as they are.
        if !value.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            buffer.writeString(value)
            return
        }
        // Escape the characters COPY text gives meaning to; everything else is literal.
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        buffer.writeString(escaped)
    }

    mutating func field(_ value: Double?) {
        separate()
        guard let value else { return null() }
        // Swift prints the shortest string that reads back to the same double,
        // and PostgreSQL's float8 input is exact, so values round-trip bit for bit.
        if value.isNaN { buffer.writeString("NaN") } else if value.isInfinite {
            buffer.writeString(value > 0 ? "Infinity" : "-Infinity")
        } else { buffer.writeString("\(value)") }
    }

    mutating func field(_ value: Int64?) {
        separate()
        guard let value else { return null() }
        buffer.writeString(String(value))
    }

    mutating func field(_ value: Int?) { field(value.map(Int64.init)) }

    /// BYTEA in hex form (`\x0a1b…`, its backslash escaped for COPY).
    mutating func field(bytes value: [UInt8]?) {
        separate()
        guard let value else { return null() }
        buffer.writeString("\\\\x")
        let digits = Array("0123456789abcdef".utf8)
        for b in value {
            buffer.writeInteger(digits[Int(b >> 4)])
            buffer.writeInteger(digits[Int(b & 15)])
        }
    }

    mutating func field(_ value: StoredValue) {
        switch value {
        case .null: field(nil as String?)
        case .integer(let v): field(v)
        case .real(let v): field(v)
        case .text(let v): field(v)
        case .blob(let v): field(bytes: v)
        case .boolean(let v): field(v ? "t" : "f")
        }
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        first = true
        rows += 1
    }

    private mutating func separate() {
        if !first { buffer.writeInteger(UInt8(ascii: "\t")) }
        first = false
    }

    private mutating func null() { buffer.writeString("\\N") }
}

extension PostgresConnection {
    /// COPY `rows` into `table` (default: the records' own), in chunks of bounded size.
    func copy<R: StoredRecord>(_ rows: [R], into table: String = R.table.name, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        let columns = R.table.insertedColumns.map(\.name)  // copyFrom quotes them itself
        try await copyFrom(table: table, columns: columns, logger: logger) { writer in
            var encoder = CopyTextEncoder()
            for r in rows {
                for v in R.table.insertValues(r) { encoder.field(v) }
                encoder.endRow()
                if encoder.buffer.readableBytes > 1 << 20 {
                    try await writer.write(encoder.buffer)
                    encoder = CopyTextEncoder()
                }
            }
            if encoder.buffer.readableBytes > 0 { try await writer.write(encoder.buffer) }
        }
    }
}

extension StoredValue {
    /// A cell of a column declared `type`.
    init(postgres cell: PostgresCell, type: StoredType) throws {
        switch type {
        case .integer: self = try cell.decode(Int64?.self).map { .integer($0) } ?? .null
        case .real: self = try cell.decode(Double?.self).map { .real($0) } ?? .null
        case .text: self = try cell.decode(String?.self).map { .text($0) } ?? .null
        case .blob: self = try cell.decode(ByteBuffer?.self).map { .blob(Array($0.readableBytesView)) } ?? .null
        case .boolean: self = try cell.decode(Bool?.self).map { .boolean($0) } ?? .null
        }
    }
}

extension StoredTable {
    /// "a, b, c" of every column, each prefixed with `table.` when asked.
    func postgresSelectList(qualified: Bool = false) -> String {
        columns.map { (qualified ? name + "." : "") + SQLDialect.postgres.quoted($0.name) }.joined(separator: ", ")
    }
}

extension PostgresStore {
    /// The record of each row of a query selecting `R.table.postgresSelectList()`
    /// (from cell `offset` on, when the query selects more).
    func decode<R: StoredRecord>(_ type: R.Type, _ row: PostgresRow, offset: Int = 0) throws -> R {
        let types = R.table.columns.map(\.type)
        var values: [StoredValue] = []
        values.reserveCapacity(types.count)
        var i = 0
        for cell in row {
            defer { i += 1 }
            guard i >= offset, i < offset + types.count else { continue }
            values.append(try StoredValue(postgres: cell, type: types[i - offset]))
        }
        return try R.table.decode(values, source: url.description)
    }

    /// Every record a query returns.
    func fetch<R: StoredRecord>(_ type: R.Type, _ query: PostgresQuery) throws -> [R] {
        try rows(query).map { try decode(R.self, $0) }
    }
}
