import Foundation

/// Reads blocks of rows of a DESI coadd's B/R/Z FLUX, IVAR and MASK images
/// straight from the file into one reused buffer (`pread`), where ingest's
/// kernel reads them: no cfitsio buffer copies, no per-row arrays. Values stay
/// as stored (big-endian float32 FLUX/IVAR, 32-bit MASK of which only `≠ 0`
/// matters: `maskZero` is the stored pattern of the value 0). Reading rather
/// than mapping the file costs less than mapping and unmapping its pages, and
/// a file that shrinks while it is read gives an error, not a crash (SIGBUS).
/// Made by `DESICoaddFile.imageReader` for plain files. Not thread-safe.
public final class DESIImageReader {
    /// Where one arm's three images lie in the file.
    struct Images {
        var names: [String]  // FLUX, IVAR, MASK HDU names
        var offsets: [Int]   // their data offsets
        var width: Int       // pixels per row
        var maskZero: UInt32
    }

    public let path: String
    /// Rows the buffer holds at most.
    public let capacity: Int
    /// The rows read last.
    public private(set) var rows: Range<Int> = 0..<0
    let images: [Images]
    private let fd: Int32
    private let buffer: UnsafeMutableRawPointer
    /// Start of each image's slab in the buffer, by arm then FLUX/IVAR/MASK.
    private let slabs: [[Int]]

    /// `layouts`: FLUX, IVAR and MASK of each arm with their HDU names.
    init(path: String, layouts: [[(name: String, layout: FITSRawImageLayout)]], widths: [Int], capacity: Int) throws {
        self.path = path
        let capacity = max(1, capacity)
        self.capacity = capacity
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FITSError(file: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw FITSError(file: path, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        var images: [Images] = [], slabs: [[Int]] = [], bytes = 0
        for (a, hdus) in layouts.enumerated() {
            for (name, layout) in hdus where layout.dataOffset + layout.dataBytes > size {
                close(fd)
                let row = max(0, size - layout.dataOffset) / (4 * widths[a])
                throw FITSError(file: path, hdu: name, row: row,
                                message: "file ends inside the image data (truncated?): \(size) bytes, the image needs \(layout.dataOffset + layout.dataBytes)")
            }
            // The value 0 is stored as -BZERO: 0, or -2^31 for uint32 kept as int32.
            images.append(Images(names: hdus.map(\.name), offsets: hdus.map(\.layout.dataOffset), width: widths[a],
                                 maskZero: UInt32(bitPattern: Int32(-hdus[2].layout.bzero)).bigEndian))
            let slab = 4 * widths[a] * capacity
            slabs.append([bytes, bytes + slab, bytes + 2 * slab])
            bytes += 3 * slab
        }
        self.images = images
        self.slabs = slabs
        buffer = .allocate(byteCount: max(bytes, 1), alignment: 64)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Reads `rows` (at most `capacity`) of every image into the buffer,
    /// replacing what it held. Throws, naming the HDU and row, when the file
    /// no longer holds them.
    public func read(_ rows: Range<Int>) throws {
        precondition(rows.count <= capacity, "more rows than the reader holds")
        self.rows = 0..<0
        for (a, arm) in images.enumerated() {
            let rowBytes = 4 * arm.width
            for k in 0..<3 {
                let into = buffer + slabs[a][k], count = rowBytes * rows.count
                var done = 0
                while done < count {
                    let n = pread(fd, into + done, count - done, off_t(arm.offsets[k] + rowBytes * rows.lowerBound + done))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        let reason = n < 0 ? String(cString: strerror(errno)) : "the file ends there (it shrank while being read?)"
                        throw FITSError(file: path, hdu: arm.names[k], row: rows.lowerBound + done / rowBytes,
                                        message: "cannot read the image data: \(reason)")
                    }
                    done += n
                }
            }
        }
        self.rows = rows
    }

    /// One row's pixels in one arm (index in `DESICoaddFile.arms`) as stored;
    /// the row must be among the rows read last, and the pointers are valid
    /// until the next `read`.
    public func arm(_ a: Int, row: Int) -> (flux: UnsafeRawPointer, ivar: UnsafeRawPointer,
                                             mask: UnsafePointer<UInt32>, maskZero: UInt32) {
        precondition(rows.contains(row), "row \(row) was not read")
        let offset = 4 * images[a].width * (row - rows.lowerBound)
        let base = UnsafeRawPointer(buffer)
        return (base + slabs[a][0] + offset, base + slabs[a][1] + offset,
                (base + slabs[a][2] + offset).assumingMemoryBound(to: UInt32.self), images[a].maskZero)
    }
}

extension DESICoaddFile {
    /// A reader of the images holding up to `capacity` rows, or nil when they
    /// are not plain float32 FLUX/IVAR and 32-bit integer MASK in an
    /// uncompressed file (then `readArms` reads them through cfitsio, whatever
    /// their form).
    public func imageReader(capacity: Int) throws -> DESIImageReader? {
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
        return try DESIImageReader(path: path, layouts: layouts, widths: widths, capacity: capacity)
    }
}
