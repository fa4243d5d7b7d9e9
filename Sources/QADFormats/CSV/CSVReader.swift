import Foundation
import QADCore

/// Streams an RFC 4180 CSV file row by row: a header row, fields separated by
/// commas, double-quoted fields that may hold commas, quotes ("") and line
/// breaks, LF or CRLF line ends. Lines starting with `#` before the header are
/// skipped (IRSA and VizieR exports put their notes there). The file is read in
/// blocks, so memory does not grow with its size.
public final class CSVReader {
    public let path: String
    /// Column names from the header row, blanks trimmed.
    public private(set) var header: [String] = []
    /// 1-based line number in the file where the last returned row started.
    public private(set) var line = 0

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var nextLine = 1
    private static let blockSize = 1 << 20

    /// `headerless`: every row is data (a plain list), rows may differ in length.
    public init(path: String, headerless: Bool = false) throws(LocatedError) {
        self.path = path
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw LocatedError(file: path, message: "cannot open for reading")
        }
        handle = h
        while !headerless {
            guard let row = try nextRow() else { throw LocatedError(file: path, message: "empty file: no header row") }
            if row.count == 1, row[0].hasPrefix("#") || row[0].isEmpty { continue }
            if row.first?.hasPrefix("#") == true { continue }
            header = row.map { $0.trimmingCharacters(in: .whitespaces) }
            break
        }
        if Set(header).count != header.count {
            throw LocatedError(file: path, line: line, message: "header repeats a column name")
        }
    }

    deinit { try? handle.close() }

    /// The next row's fields, or nil at the end of the file. Rows after the
    /// header must have as many fields as the header.
    public func nextRow() throws(LocatedError) -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldWasQuoted = false
        var sawAnything = false
        line = nextLine
        while true {
            guard let byte = try peekByte() else {
                if quoted { throw LocatedError(file: path, line: line, message: "quoted field not closed before end of file") }
                guard sawAnything else { return nil }
                fields.append(String(decoding: field, as: UTF8.self))
                return try checked(fields)
            }
            position += 1
            sawAnything = true
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if try peekByte() == UInt8(ascii: "\"") { position += 1; field.append(byte) } else { quoted = false }
                } else {
                    if byte == UInt8(ascii: "\n") { nextLine += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                fieldWasQuoted = false
            case UInt8(ascii: "\""):
                guard field.isEmpty, !fieldWasQuoted else {
                    throw LocatedError(file: path, line: line, message: "quote inside an unquoted field")
                }
                quoted = true
                fieldWasQuoted = true
            case UInt8(ascii: "\n"):
                nextLine += 1
                if field.last == UInt8(ascii: "\r") { field.removeLast() }
                if fields.isEmpty && field.isEmpty && !fieldWasQuoted {  // blank line
                    line = nextLine
                    sawAnything = false
                    continue
                }
                fields.append(String(decoding: field, as: UTF8.self))
                return try checked(fields)
            default:
                if fieldWasQuoted && !quoted && byte != UInt8(ascii: "\r") {
                    throw LocatedError(file: path, line: line, message: "text after a closing quote")
                }
                field.append(byte)
            }
        }
    }

    private func checked(_ fields: [String]) throws(LocatedError) -> [String] {
        if !header.isEmpty && fields.count != header.count {
            throw LocatedError(file: path, line: line, message: "\(fields.count) fields, the header has \(header.count)")
        }
        return fields
    }

    private func peekByte() throws(LocatedError) -> UInt8? {
        if position < buffer.count { return buffer[position] }
        if atEnd { return nil }
        let data: Data?
        do { data = try handle.read(upToCount: Self.blockSize) } catch {
            throw LocatedError(file: path, line: line, message: "read failed: \(error)")
        }
        guard let data, !data.isEmpty else { atEnd = true; return nil }
        buffer = [UInt8](data)
        position = 0
        return buffer[0]
    }
}
