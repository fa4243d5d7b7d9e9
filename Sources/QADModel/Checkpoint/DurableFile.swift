import Foundation
import QADCore

/// Crash-safe file writes: data goes to a temporary file in the same folder,
/// is flushed to disk, then renamed over the target (rename is atomic), and
/// the folder is flushed so the rename itself survives a power cut. A process
/// killed at any moment leaves the old file or the new one, never a mix.
enum DurableFile {
    static func write(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw LocatedError("\(tmp): cannot create (\(String(cString: strerror(errno))))") }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok else {
            unlink(tmp)
            throw LocatedError("\(tmp): write failed (\(String(cString: strerror(errno))))")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw LocatedError("\(path): rename failed (\(String(cString: strerror(errno))))")
        }
        syncDirectory(of: path)
    }

    /// Renames a finished folder into place (the target must not exist).
    static func renameDirectory(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else {
            throw LocatedError("\(to): rename from \(from) failed (\(String(cString: strerror(errno))))")
        }
        syncDirectory(of: to)
    }

    static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
