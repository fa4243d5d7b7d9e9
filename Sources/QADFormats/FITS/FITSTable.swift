import CCFITSIO
import Foundation

extension FITSFile {
    public func rowCount() throws -> Int {
        let kind = try currentKind()
        guard kind != .image else { throw fail("not a table HDU") }
        var status: Int32 = 0
        var n: Int64 = 0
        ffgnrwll(handle, &n, &status)
        try check(status, "cannot read row count")
        return Int(n)
    }

    public func columnNames() throws -> [String] {
        var status: Int32 = 0
        var n: Int32 = 0
        ffgncl(handle, &n, &status)
        try check(status, "cannot read column count")
        var names: [String] = []
        for i in 1...max(n, 1) where n > 0 {
            names.append(try stringKey("TTYPE\(i)") ?? "COL\(i)")
        }
        return names
    }

    /// Column number, equivalent type and repeat count; throws naming the
    /// column when it is missing.
    public func columnInfo(_ name: String) throws -> FITSColumnInfo {
        var status: Int32 = 0
        var number: Int32 = 0
        var template = Array(name.utf8CString)
        ffgcno(handle, Int32(CASEINSEN), &template, &number, &status)
        if status != 0 {
            ffcmsg()
            throw fail("column not found", column: name)
        }
        var type: Int32 = 0
        var rep: Int64 = 0
        var width: Int64 = 0
        ffeqtyll(handle, number, &type, &rep, &width, &status)
        try check(status, "cannot read column type", column: name)
        return FITSColumnInfo(name: name, number: number, typeCode: abs(type), repeatCount: Int(rep), width: Int(width))
    }

    public func hasColumn(_ name: String) -> Bool {
        (try? columnInfo(name)) != nil
    }

    /// Values of a numeric column converted to `T`, `repeat` values per row
    /// (row-major), for rows `firstRow ..< firstRow + count` (0-based).
    public func readColumn<T: FITSNumeric>(_ name: String, as _: T.Type = T.self,
                                           firstRow: Int = 0, count: Int? = nil) throws -> [T] {
        let info = try columnInfo(name)
        if info.typeCode == Int32(TSTRING) {
            throw fail("is a string column, expected numbers", column: name)
        }
        let rows = try count ?? (rowCount() - firstRow)
        let n = rows * info.repeatCount
        var out = [T](repeating: 0, count: n)
        guard n > 0 else { return out }
        var status: Int32 = 0
        var anyNull: Int32 = 0
        var nullValue: T = 0
        withUnsafeMutablePointer(to: &nullValue) { null in
            out.withUnsafeMutableBufferPointer { values in
                _ = ffgcv(handle, T.fitsDataType, info.number, Int64(firstRow + 1), 1, Int64(n),
                          null, values.baseAddress, &anyNull, &status)
            }
        }
        try check(status, "cannot read values", column: name, row: firstRow)
        return out
    }

    /// A string column, trailing blanks removed.
    public func readStrings(_ name: String, firstRow: Int = 0, count: Int? = nil) throws -> [String] {
        let info = try columnInfo(name)
        let rows = try count ?? (rowCount() - firstRow)
        guard rows > 0 else { return [] }
        // Non-string columns are formatted by cfitsio; give room for that too.
        let width = max(info.typeCode == Int32(TSTRING) ? info.repeatCount : 32, 1) + 1
        var status: Int32 = 0
        var anyNull: Int32 = 0
        var nullString = Array("".utf8CString)
        var result: [String] = []
        result.reserveCapacity(rows)
        withStringBuffers(count: rows, width: width) { pointers in
            ffgcvs(handle, info.number, Int64(firstRow + 1), 1, Int64(rows), &nullString,
                   &pointers, &anyNull, &status)
            if status == 0 {
                for p in pointers.prefix(rows) {
                    result.append(String(cString: p!).trimmingTrailingBlanks())
                }
            }
        }
        try check(status, "cannot read strings", column: name, row: firstRow)
        return result
    }

    /// A logical (L) column: true for 'T'.
    public func readLogicals(_ name: String, firstRow: Int = 0, count: Int? = nil) throws -> [Bool] {
        let info = try columnInfo(name)
        let rows = try count ?? (rowCount() - firstRow)
        let n = rows * info.repeatCount
        guard n > 0 else { return [] }
        var raw = [CChar](repeating: 0, count: n)
        var status: Int32 = 0
        var anyNull: Int32 = 0
        var nullValue: CChar = 0
        ffgcv(handle, Int32(TLOGICAL), info.number, Int64(firstRow + 1), 1, Int64(n),
              &nullValue, &raw, &anyNull, &status)
        try check(status, "cannot read logicals", column: name, row: firstRow)
        return raw.map { $0 != 0 }
    }

    // MARK: writing

    /// Appends a binary table HDU with these columns and `rows` empty rows;
    /// TUNIT and TDISP are written for the columns that have them.
    public func createTable(name: String, columns: [FITSColumnSpec], rows: Int) throws {
        var status: Int32 = 0
        var types = columns.map { strdup($0.name) }
        var forms = columns.map { strdup($0.tform) }
        var units = columns.map { strdup($0.unit ?? "") }
        defer { (types + forms + units).forEach { free($0) } }
        ffcrtb(handle, Int32(BINARY_TBL), Int64(rows), Int32(columns.count), &types, &forms, &units,
               name, &status)
        currentHDUName = name
        try check(status, "cannot create table")
        for (i, c) in columns.enumerated() where c.display != nil {
            try writeKey("TDISP\(i + 1)", c.display!)
        }
    }

    public func writeColumn<T: FITSNumeric>(_ name: String, _ values: [T], firstRow: Int = 0) throws {
        guard !values.isEmpty else { return }
        let info = try columnInfo(name)
        var status: Int32 = 0
        var copy = values
        copy.withUnsafeMutableBufferPointer { v in
            _ = ffpcl(handle, T.fitsDataType, info.number, Int64(firstRow + 1), 1, Int64(v.count), v.baseAddress, &status)
        }
        try check(status, "cannot write values", column: name, row: firstRow)
    }

    public func writeStrings(_ name: String, _ values: [String], firstRow: Int = 0) throws {
        guard !values.isEmpty else { return }
        let info = try columnInfo(name)
        var status: Int32 = 0
        var pointers = values.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        ffpcls(handle, info.number, Int64(firstRow + 1), 1, Int64(values.count), &pointers, &status)
        try check(status, "cannot write strings", column: name, row: firstRow)
    }

    public func writeLogicals(_ name: String, _ values: [Bool], firstRow: Int = 0) throws {
        guard !values.isEmpty else { return }
        let info = try columnInfo(name)
        var status: Int32 = 0
        var raw = values.map { CChar($0 ? 1 : 0) }
        ffpcl(handle, Int32(TLOGICAL), info.number, Int64(firstRow + 1), 1, Int64(values.count), &raw, &status)
        try check(status, "cannot write logicals", column: name, row: firstRow)
    }
}

/// Calls `body` with `count` C string buffers of `width` bytes in one block.
private func withStringBuffers<R>(count: Int, width: Int,
                                  _ body: (inout [UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let block = UnsafeMutablePointer<CChar>.allocate(capacity: count * width)
    block.initialize(repeating: 0, count: count * width)
    defer { block.deallocate() }
    var pointers: [UnsafeMutablePointer<CChar>?] = (0..<count).map { block + $0 * width }
    return body(&pointers)
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " { s = s.dropLast() }
        return String(s)
    }
}
