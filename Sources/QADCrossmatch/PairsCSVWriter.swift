import Foundation
import QADCore
import QADFormats

/// Writes every pair within the radius as CSV: TARGETID, the catalog's id
/// column (named as in the catalog), SEP_ARCSEC. TARGETIDs are exact integers;
/// the file appears under its name only when complete (`finish()`).
public final class PairsCSVWriter: PairSink {
    public let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        self.path = path
        temporaryPath = path + ".partial"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw LocatedError(file: path, message: "cannot create the pairs file")
        }
        handle = h
    }

    public func begin(idColumn: String) throws {
        buffer.append(contentsOf: "TARGETID,\(CSVField.quoted(idColumn)),SEP_ARCSEC\n".utf8)
    }

    public func pair(target: TargetID, sourceID: CatalogValue, separationArcsec: Double) throws {
        buffer.append(contentsOf: "\(target),\(CSVField.quoted(sourceID.text)),\(separationArcsec)\n".utf8)
        if buffer.count > 1 << 20 { try flush() }
    }

    private func flush() throws {
        do { try handle.write(contentsOf: buffer) } catch {
            throw LocatedError(file: path, message: "write failed: \(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and moves the file into place.
    public func finish() throws {
        try flush()
        try handle.close()
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
    }

    /// Closes and removes the partial file (after a failed run).
    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}
