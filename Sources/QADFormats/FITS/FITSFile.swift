import CCFITSIO
import Foundation

/// Element types qad reads and writes through cfitsio, with their type codes.
public protocol FITSNumeric: Numeric, Sendable {
    /// cfitsio datatype code (TFLOAT, TDOUBLE, …) for reading and writing values.
    static var fitsDataType: Int32 { get }
    /// BITPIX for an image of this type.
    static var fitsBitpix: Int32 { get }
    /// TFORM letter for a binary-table column of this type.
    static var fitsTForm: String { get }
}

extension Float: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TFLOAT) }
    public static var fitsBitpix: Int32 { Int32(FLOAT_IMG) }
    public static var fitsTForm: String { "E" }
}
extension Double: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TDOUBLE) }
    public static var fitsBitpix: Int32 { Int32(DOUBLE_IMG) }
    public static var fitsTForm: String { "D" }
}
extension Int16: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TSHORT) }
    public static var fitsBitpix: Int32 { Int32(SHORT_IMG) }
    public static var fitsTForm: String { "I" }
}
extension Int32: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TINT) }
    public static var fitsBitpix: Int32 { Int32(LONG_IMG) }
    public static var fitsTForm: String { "J" }
}
extension Int64: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TLONGLONG) }
    public static var fitsBitpix: Int32 { Int32(LONGLONG_IMG) }
    public static var fitsTForm: String { "K" }
}
extension UInt32: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TUINT) }
    public static var fitsBitpix: Int32 { Int32(ULONG_IMG) }
    public static var fitsTForm: String { "V" }
}
extension UInt8: FITSNumeric {
    public static var fitsDataType: Int32 { Int32(TBYTE) }
    public static var fitsBitpix: Int32 { Int32(BYTE_IMG) }
    public static var fitsTForm: String { "B" }
}

/// A column to create in a binary table.
public struct FITSColumnSpec: Sendable {
    public enum Kind: Sendable {
        case numeric(tform: String)      // e.g. "K", "D", "10E"
        case string(width: Int)          // "NA"
        case logical                     // "L"
    }
    public var name: String
    public var kind: Kind
    public var unit: String?
    public var display: String?          // TDISPn

    public init(name: String, kind: Kind, unit: String? = nil, display: String? = nil) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.display = display
    }

    public static func of<T: FITSNumeric>(_ name: String, _ type: T.Type, repeat count: Int = 1,
                                           unit: String? = nil, display: String? = nil) -> FITSColumnSpec {
        FITSColumnSpec(name: name, kind: .numeric(tform: count == 1 ? T.fitsTForm : "\(count)\(T.fitsTForm)"),
                       unit: unit, display: display)
    }

    var tform: String {
        switch kind {
        case .numeric(let t): return t
        case .string(let w): return "\(max(w, 1))A"
        case .logical: return "L"
        }
    }
}

/// Type and width of one table column as stored.
public struct FITSColumnInfo: Sendable {
    public var name: String
    public var number: Int32
    /// Equivalent type code after TSCAL/TZERO (TLONGLONG, TFLOAT, TSTRING, …).
    public var typeCode: Int32
    /// Elements per row (string width for strings).
    public var repeatCount: Int
    public var width: Int
}

/// One open FITS file, moved between HDUs like astropy's HDU list. Hides cfitsio
/// status codes behind `FITSError`s naming file, HDU, column and row. A handle
/// is not thread-safe: use one per task.
public final class FITSFile {
    public let path: String
    private var fptr: UnsafeMutablePointer<fitsfile>?
    /// EXTNAME (or "#index") of the current HDU, for messages.
    public internal(set) var currentHDUName: String = "PRIMARY"

    private init(path: String, fptr: UnsafeMutablePointer<fitsfile>?) {
        self.path = path
        self.fptr = fptr
    }

    deinit {
        if fptr != nil {
            var status: Int32 = 0
            ffclos(fptr, &status)
        }
    }

    /// Opens `.fits` or `.fits.gz` (cfitsio decompresses gzip in memory).
    public static func open(_ path: String, writable: Bool = false) throws -> FITSFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FITSError(file: path, message: "no such file")
        }
        var ptr: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // The disk-file variant ignores cfitsio's extended filename syntax, so a
        // path containing '[' or '+' is taken literally.
        ffdkopn(&ptr, path, writable ? Int32(READWRITE) : Int32(READONLY), &status)
        if status != 0 {
            if ptr != nil { var s: Int32 = 0; ffclos(ptr, &s) }
            throw FITSFile.error(path: path, hdu: nil, status: status, "cannot open as FITS")
        }
        return FITSFile(path: path, fptr: ptr)
    }

    /// Creates a new file, replacing any existing one.
    public static func create(_ path: String) throws -> FITSFile {
        try? FileManager.default.removeItem(atPath: path)
        var ptr: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        ffdkinit(&ptr, path, &status)
        if status != 0 {
            throw FITSFile.error(path: path, hdu: nil, status: status, "cannot create")
        }
        let file = FITSFile(path: path, fptr: ptr)
        // An empty primary HDU, as DESI files have.
        var naxes: [Int] = []
        ffcrim(ptr, Int32(BYTE_IMG), 0, &naxes, &status)
        try file.check(status, "cannot write primary HDU")
        return file
    }

    /// Flushes and closes; errors on close (e.g. a full disk) are reported.
    public func close() throws {
        guard fptr != nil else { return }
        var status: Int32 = 0
        ffclos(fptr, &status)
        fptr = nil
        try check(status, "close failed")
    }

    // MARK: errors

    static func error(path: String, hdu: String?, column: String? = nil, row: Int? = nil,
                      status: Int32, _ context: String) -> FITSError {
        var text = [CChar](repeating: 0, count: 32)
        ffgerr(status, &text)
        let reason = stringFromCBuffer(text)
        ffcmsg()  // drop cfitsio's message stack: the status text is what we report
        return FITSError(file: path, hdu: hdu, column: column, row: row, status: status,
                         message: "\(context) (cfitsio \(status): \(reason))")
    }

    func check(_ status: Int32, _ context: String, column: String? = nil, row: Int? = nil) throws {
        if status != 0 {
            throw FITSFile.error(path: path, hdu: currentHDUName, column: column, row: row,
                                 status: status, context)
        }
    }

    func fail(_ message: String, column: String? = nil, row: Int? = nil) -> FITSError {
        FITSError(file: path, hdu: currentHDUName, column: column, row: row, message: message)
    }

    var handle: UnsafeMutablePointer<fitsfile>? { fptr }

    // MARK: HDU navigation

    public var hduCount: Int {
        var n: Int32 = 0
        var status: Int32 = 0
        ffthdu(fptr, &n, &status)
        return Int(n)
    }

    /// Moves to the HDU with this EXTNAME (case-insensitive, as cfitsio matches).
    public func moveTo(hdu name: String) throws {
        var status: Int32 = 0
        var cname = Array(name.utf8CString)
        ffmnhd(fptr, Int32(ANY_HDU), &cname, 0, &status)
        if status != 0 {
            ffcmsg()
            throw FITSError(file: path, hdu: name, status: status, message: "HDU not found")
        }
        currentHDUName = name
    }

    /// Moves to the HDU at this 0-based index (astropy numbering: 0 is primary).
    public func moveTo(index: Int) throws {
        var status: Int32 = 0
        var type: Int32 = 0
        ffmahd(fptr, Int32(index + 1), &type, &status)
        if status != 0 {
            ffcmsg()
            throw FITSError(file: path, hdu: "#\(index)", status: status,
                            message: "HDU \(index) does not exist (file has \(hduCount))")
        }
        currentHDUName = (try? stringKey("EXTNAME")).flatMap { $0 } ?? "#\(index)"
    }

    public func hasHDU(_ name: String) -> Bool {
        var status: Int32 = 0
        var cname = Array(name.utf8CString)
        var current: Int32 = 0
        ffghdn(fptr, &current)
        ffmnhd(fptr, Int32(ANY_HDU), &cname, 0, &status)
        let found = status == 0
        ffcmsg()
        var type: Int32 = 0
        var s2: Int32 = 0
        ffmahd(fptr, current, &type, &s2)
        return found
    }

    /// EXTNAMEs of every HDU in order ("PRIMARY" for an unnamed primary, "" for
    /// other unnamed HDUs). Leaves the file at the primary HDU.
    public func hduNames() throws -> [String] {
        var names: [String] = []
        for i in 0..<hduCount {
            try moveTo(index: i)
            let name = (try stringKey("EXTNAME")) ?? (i == 0 ? "PRIMARY" : "")
            names.append(name)
        }
        try moveTo(index: 0)
        return names
    }

    public enum HDUKind: Sendable { case image, binaryTable, asciiTable }

    public func currentKind() throws -> HDUKind {
        var type: Int32 = 0
        var status: Int32 = 0
        ffghdt(fptr, &type, &status)
        try check(status, "cannot read HDU type")
        switch type {
        case Int32(IMAGE_HDU): return .image
        case Int32(BINARY_TBL): return .binaryTable
        default: return .asciiTable
        }
    }

    // MARK: header keywords

    /// A string keyword, or nil when absent.
    public func stringKey(_ name: String) throws -> String? {
        var status: Int32 = 0
        var value = [CChar](repeating: 0, count: Int(FLEN_VALUE) + 1)
        ffgky(fptr, Int32(TSTRING), name, &value, nil, &status)
        if status == Int32(KEY_NO_EXIST) { ffcmsg(); return nil }
        try check(status, "cannot read keyword \(name)")
        return stringFromCBuffer(value).trimmingCharacters(in: .whitespaces)
    }

    public func intKey(_ name: String) throws -> Int64? {
        var status: Int32 = 0
        var value: Int64 = 0
        ffgky(fptr, Int32(TLONGLONG), name, &value, nil, &status)
        if status == Int32(KEY_NO_EXIST) { ffcmsg(); return nil }
        try check(status, "cannot read keyword \(name)")
        return value
    }

    public func doubleKey(_ name: String) throws -> Double? {
        var status: Int32 = 0
        var value: Double = 0
        ffgky(fptr, Int32(TDOUBLE), name, &value, nil, &status)
        if status == Int32(KEY_NO_EXIST) { ffcmsg(); return nil }
        try check(status, "cannot read keyword \(name)")
        return value
    }

    public func writeKey(_ name: String, _ value: String, comment: String? = nil) throws {
        var status: Int32 = 0
        var v = Array(value.utf8CString)
        ffuky(fptr, Int32(TSTRING), name, &v, comment, &status)
        try check(status, "cannot write keyword \(name)")
    }

    public func writeKey(_ name: String, _ value: Int64, comment: String? = nil) throws {
        var status: Int32 = 0
        var v = value
        ffuky(fptr, Int32(TLONGLONG), name, &v, comment, &status)
        try check(status, "cannot write keyword \(name)")
    }

    public func writeKey(_ name: String, _ value: Double, comment: String? = nil) throws {
        var status: Int32 = 0
        ffukyd(fptr, name, value, -15, comment, &status)
        try check(status, "cannot write keyword \(name)")
    }

    public func writeKey(_ name: String, _ value: Bool, comment: String? = nil) throws {
        var status: Int32 = 0
        var v: Int32 = value ? 1 : 0
        ffuky(fptr, Int32(TLOGICAL), name, &v, comment, &status)
        try check(status, "cannot write keyword \(name)")
    }
}

/// The NUL-terminated text in a C character buffer.
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
