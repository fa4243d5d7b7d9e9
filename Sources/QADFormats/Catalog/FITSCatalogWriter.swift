import CCFITSIO
import Foundation
import QADCore

/// Writes a catalog as a FITS binary table (one extension after an empty
/// primary HDU): TTYPE/TFORM/TUNIT/TDISP per column, the description both as
/// the TTYPE card's comment and as a TCOMMn keyword (long-string convention,
/// so it is never cut), TNULLn for integer columns with nulls, provenance
/// keywords in the table header. Written to a temporary file and renamed.
public enum FITSCatalogWriter {
    public static func write(_ table: CatalogTable, to path: String) throws {
        try table.validate(file: path)
        let temporary = path + ".partial.fits"
        do {
            let file = try FITSFile.create(temporary)
            let specs = table.columns.map(spec)
            try file.createTable(name: table.name, columns: specs, rows: table.rowCount)
            try file.declareLongStrings()
            for (i, c) in table.columns.enumerated() {
                let n = i + 1
                if let d = c.description {
                    try file.setComment(of: "TTYPE\(n)", ascii(d))
                    try file.writeLongString("TCOMM\(n)", ascii(d), comment: nil)
                }
                try writeValues(c, number: n, file: file)
            }
            if let d = table.description { try file.writeLongString("COMMENT", ascii(d), comment: nil, asComment: true) }
            for p in table.provenance {
                switch p.value {
                case .string(let s): try file.writeLongString(p.key, ascii(s), comment: p.comment.map(ascii))
                case .int(let v): try file.writeKey(p.key, v, comment: p.comment.map(ascii))
                case .double(let v): try file.writeKey(p.key, v, comment: p.comment.map(ascii))
                case .bool(let v): try file.writeKey(p.key, v, comment: p.comment.map(ascii))
                }
            }
            try file.close()
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch let e as FITSError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw LocatedError(file: path, column: e.column, row: e.row, message: e.message)
        }
    }

    static func spec(_ c: CatalogTableColumn) -> FITSColumnSpec {
        let kind: FITSColumnSpec.Kind
        let display: String
        switch c.values {
        case .int64: (kind, display) = (.numeric(tform: "K"), "I20")
        case .int32: (kind, display) = (.numeric(tform: "J"), "I11")
        case .float64: (kind, display) = (.numeric(tform: "D"), "D25.17")
        case .float32: (kind, display) = (.numeric(tform: "E"), "E16.8")
        case .bool: (kind, display) = (.logical, "L1")
        case .string(let v):
            let width = max(1, v.lazy.map { ascii($0 ?? "").utf8.count }.max() ?? 1)
            (kind, display) = (.string(width: width), "A\(width)")
        }
        return FITSColumnSpec(name: c.name, kind: kind, unit: c.unit, display: c.displayFormat ?? display)
    }

    static func writeValues(_ c: CatalogTableColumn, number: Int, file: FITSFile) throws {
        switch c.values {
        case .int64(let v):
            if v.contains(nil) { try file.writeKey("TNULL\(number)", Int64.min, comment: "null value") }
            try file.writeColumn(c.name, v.map { $0 ?? Int64.min })
        case .int32(let v):
            if v.contains(nil) { try file.writeKey("TNULL\(number)", Int64(Int32.min), comment: "null value") }
            try file.writeColumn(c.name, v.map { $0 ?? Int32.min })
        case .float64(let v): try file.writeColumn(c.name, v.map { $0 ?? .nan })
        case .float32(let v): try file.writeColumn(c.name, v.map { $0 ?? .nan })
        case .string(let v): try file.writeStrings(c.name, v.map { ascii($0 ?? "") })
        case .bool(let v):
            try file.writeLogicals(c.name, v.map { $0 ?? false })
            for (row, b) in v.enumerated() where b == nil { try file.setNull(column: number, row: row) }
        }
    }

    /// FITS headers and A columns are ASCII: other characters become '?'.
    static func ascii(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? $0 : "?" }))
    }
}

extension FITSFile {
    /// Writes LONGSTRN, announcing the long-string (CONTINUE) convention.
    func declareLongStrings() throws {
        var status: Int32 = 0
        ffplsw(handle, &status)
        try check(status, "cannot write LONGSTRN")
    }

    /// A string keyword of any length (CONTINUE cards past 68 characters), or a COMMENT card per 70 characters.
    func writeLongString(_ key: String, _ value: String, comment: String?, asComment: Bool = false) throws {
        var status: Int32 = 0
        if asComment {
            var rest = Substring(value)
            while !rest.isEmpty {
                ffpcom(handle, String(rest.prefix(70)), &status)
                rest = rest.dropFirst(70)
            }
        } else {
            ffukls(handle, key, value, comment, &status)
        }
        try check(status, "cannot write keyword \(key)")
    }

    /// Replaces the comment of an existing keyword (cfitsio trims it to the card).
    func setComment(of key: String, _ comment: String) throws {
        var status: Int32 = 0
        ffmcom(handle, key, String(comment.prefix(72)), &status)
        try check(status, "cannot set the comment of \(key)")
    }

    /// Marks one cell of column `number` (1-based) null.
    func setNull(column number: Int, row: Int) throws {
        var status: Int32 = 0
        ffpclu(handle, Int32(number), Int64(row + 1), 1, 1, &status)
        try check(status, "cannot write a null", row: row)
    }
}
