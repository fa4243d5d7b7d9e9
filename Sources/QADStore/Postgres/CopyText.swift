import Foundation
import PostgresNIO

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

/// A record that can be bulk-loaded with COPY.
protocol CopyRow {
    /// Column names, in the order `encode` writes them (trusted constants, never input).
    static var copyColumns: [String] { get }
    func encode(into row: inout CopyTextEncoder)
}

extension PostgresConnection {
    /// COPY `rows` into `table`, in chunks of bounded size.
    func copy<R: CopyRow>(_ rows: [R], into table: String, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        try await copyFrom(table: table, columns: R.copyColumns, logger: logger) { writer in
            var encoder = CopyTextEncoder()
            for r in rows {
                r.encode(into: &encoder)
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
