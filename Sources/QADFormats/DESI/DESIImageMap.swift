import Foundation

/// A DESI coadd's B/R/Z FLUX, IVAR and MASK images mapped from the file, so
/// ingest reads a selected row's pixels where they lie in the page cache: no
/// cfitsio buffer copies, no read copies, no per-row arrays. Values stay as
/// stored (big-endian float32 FLUX/IVAR, 32-bit MASK of which only `≠ 0`
/// matters: `maskZero` is the stored pattern of the value 0). Made by
/// `DESICoaddFile.imageMap` for plain files; the file must not shrink while
/// mapped (its size is checked against every image when the map is made).
public final class DESIImageMap {
    public struct Arm {
        public var flux: UnsafeRawPointer
        public var ivar: UnsafeRawPointer
        public var mask: UnsafePointer<UInt32>
        public var maskZero: UInt32
        /// Pixels per row.
        public var width: Int
    }

    public let path: String
    public private(set) var arms: [Arm] = []
    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// `layouts`: FLUX, IVAR and MASK of each arm with their HDU names.
    init(path: String, layouts: [[(name: String, layout: FITSRawImageLayout)]], widths: [Int]) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FITSError(file: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FITSError(file: path, message: "cannot stat: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        // Reading past the end of a mapping is a crash (SIGBUS), not an error: check first.
        for (a, hdus) in layouts.enumerated() {
            for (name, layout) in hdus where layout.dataOffset + layout.dataBytes > size {
                let row = max(0, size - layout.dataOffset) / (4 * widths[a])
                throw FITSError(file: path, hdu: name, row: row,
                                message: "file ends inside the image data (truncated?): \(size) bytes, the image needs \(layout.dataOffset + layout.dataBytes)")
            }
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw FITSError(file: path, message: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = p
        length = size
        for (a, width) in widths.enumerated() {
            let h = layouts[a]
            // The value 0 is stored as -BZERO: 0, or -2^31 for uint32 kept as int32.
            let zero = UInt32(bitPattern: Int32(-h[2].layout.bzero)).bigEndian
            arms.append(Arm(flux: UnsafeRawPointer(p + h[0].layout.dataOffset),
                            ivar: UnsafeRawPointer(p + h[1].layout.dataOffset),
                            mask: UnsafeRawPointer(p + h[2].layout.dataOffset).assumingMemoryBound(to: UInt32.self),
                            maskZero: zero, width: width))
        }
    }

    deinit { munmap(base, length) }

    /// Asks the kernel to map the pages of `rows` in every image now, in one
    /// call per image rather than a page fault every few pages.
    public func prefetch(_ rows: Range<Int>) {
        for a in arms {
            for start in [a.flux, a.ivar, UnsafeRawPointer(a.mask)] {
                let from = start + 4 * rows.lowerBound * a.width, to = start + 4 * rows.upperBound * a.width
                let page = 4096
                let first = UnsafeRawPointer(bitPattern: Int(bitPattern: from) & ~(page - 1))!
                _ = madvise(UnsafeMutableRawPointer(mutating: first), to - first, 22)  // MADV_POPULATE_READ
            }
        }
    }
}

extension DESICoaddFile {
    /// The images mapped from the file, or nil when they are not plain float32
    /// FLUX/IVAR and 32-bit integer MASK in an uncompressed file (then
    /// `readArms` reads them through cfitsio, whatever their form).
    public func imageMap() throws -> DESIImageMap? {
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
        return try DESIImageMap(path: path, layouts: layouts, widths: widths)
    }
}
