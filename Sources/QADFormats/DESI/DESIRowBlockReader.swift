import Foundation

/// Reads consecutive rows of a DESI coadd's B/R/Z FLUX, IVAR and MASK images
/// in one `pread` per HDU, straight into reusable buffers: no cfitsio buffer
/// copies, no per-row arrays. FLUX and IVAR are byte-swapped to native floats
/// in place; MASK stays as stored (32-bit big-endian words), since only
/// `mask ≠ 0` matters: `maskZero` is the stored pattern of the value 0.
/// Made by `DESICoaddFile.blockReader` for plain files with float32 FLUX/IVAR
/// and 32-bit MASK; one per thread.
public final class DESIRowBlockReader {
    public struct Arm {
        public var flux: UnsafeMutablePointer<Float>
        public var ivar: UnsafeMutablePointer<Float>
        public var mask: UnsafeMutablePointer<UInt32>
        public var maskZero: UInt32
        public var width: Int
    }

    public let path: String
    /// Rows one block holds at most.
    public let maxRows: Int
    public private(set) var arms: [Arm] = []
    /// The rows the buffers hold now.
    public private(set) var rows: Range<Int> = 0..<0
    private let fd: Int32
    /// HDU name and layout of FLUX, IVAR and MASK of each arm.
    private let layouts: [[(name: String, layout: FITSRawImageLayout)]]

    init(path: String, layouts: [[(name: String, layout: FITSRawImageLayout)]], widths: [Int], maxRows: Int) throws {
        self.path = path
        self.maxRows = maxRows
        self.layouts = layouts
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FITSError(file: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        for (a, width) in widths.enumerated() {
            let mask = layouts[a][2].layout
            // The value 0 is stored as -BZERO: 0, or -2^31 for uint32 kept as int32.
            let zero = UInt32(bitPattern: Int32(-mask.bzero)).bigEndian
            arms.append(Arm(flux: .allocate(capacity: maxRows * width), ivar: .allocate(capacity: maxRows * width),
                            mask: .allocate(capacity: maxRows * width), maskZero: zero, width: width))
        }
    }

    deinit {
        for a in arms {
            a.flux.deallocate()
            a.ivar.deallocate()
            a.mask.deallocate()
        }
        close(fd)
    }

    /// Reads `rows` (at most `maxRows`) of every arm's FLUX, IVAR and MASK.
    public func read(_ rows: Range<Int>) throws {
        precondition(rows.count <= maxRows && !rows.isEmpty)
        for (a, arm) in arms.enumerated() {
            let count = rows.count * arm.width
            let targets = [UnsafeMutableRawPointer(arm.flux), UnsafeMutableRawPointer(arm.ivar),
                           UnsafeMutableRawPointer(arm.mask)]
            for (k, target) in targets.enumerated() {
                let (name, layout) = layouts[a][k]
                try readFully(into: target, bytes: 4 * count, at: layout.dataOffset + 4 * rows.lowerBound * arm.width,
                              hdu: name, row: rows.lowerBound)
            }
            swapToNative(arm.flux, count)
            swapToNative(arm.ivar, count)
        }
        self.rows = rows
    }

    private func readFully(into buffer: UnsafeMutableRawPointer, bytes: Int, at offset: Int, hdu: String, row: Int) throws {
        var done = 0
        while done < bytes {
            let n = pread(fd, buffer + done, bytes - done, off_t(offset + done))
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            let reason = n == 0 ? "file ends inside the image data (truncated?)" : String(cString: strerror(errno))
            throw FITSError(file: path, hdu: hdu, row: row, message: "cannot read image rows: \(reason)")
        }
    }

    /// FITS stores big-endian values; a loop the compiler vectorizes.
    private func swapToNative(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        p.withMemoryRebound(to: UInt32.self, capacity: count) { u in
            for i in 0..<count { u[i] = UInt32(bigEndian: u[i]) }
        }
    }
}

extension DESICoaddFile {
    /// A block reader for this file, or nil when its images are not plain
    /// float32 FLUX/IVAR and 32-bit integer MASK in an uncompressed file (then
    /// `readArms` reads them through cfitsio, whatever their form).
    public func blockReader(maxRows: Int) throws -> DESIRowBlockReader? {
        var layouts: [[(name: String, layout: FITSRawImageLayout)]] = []
        var widths: [Int] = []
        for arm in Self.arms {
            var hdus: [(String, FITSRawImageLayout)] = []
            for kind in ["FLUX", "IVAR", "MASK"] {
                let name = "\(arm)_\(kind)"
                guard let layout = try rawLayout(hdu: name), layout.bscale == 1 else { return nil }
                switch kind {
                case "MASK": guard layout.bitpix == 32, layout.bzero == 0 || layout.bzero == 2_147_483_648 else { return nil }
                default: guard layout.bitpix == -32, layout.bzero == 0 else { return nil }
                }
                hdus.append((name, layout))
            }
            layouts.append(hdus)
            widths.append(wavelengths[arm]!.count)
        }
        return try DESIRowBlockReader(path: path, layouts: layouts, widths: widths, maxRows: maxRows)
    }
}
