import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// Thousands of seeded random corruptions of valid files: every one must give
/// a ParquetError or a read, never a crash, a hang or a runaway allocation.
/// In files with page checksums, a change inside a page body must be caught.
@Suite struct ParquetFuzzTests {
    /// Small limits: a corrupt count can then cost megabytes at most.
    static var limits: ParquetReadOptions {
        var o = ParquetReadOptions()
        o.maxValuesPerColumnChunk = 1 << 18
        o.maxPageBytes = 1 << 22
        o.maxByteArrayBytes = 1 << 22
        return o
    }

    enum Mutation: CaseIterable {
        case flipBits, setByte, overwriteRun, truncate, copyRange, insertBytes, deleteBytes
    }

    struct Outcome {
        var errors = 0, identical = 0, different = 0, pageBodyHits = 0, slowest = 0.0
    }

    /// Applies one random mutation; returns the changed range of the original
    /// file when the mutation kept every other byte in place.
    static func mutate(_ bytes: inout [UInt8], _ rng: inout SeededRandom) -> Range<Int>? {
        let n = bytes.count
        // Half of the mutations hit the footer, where most of the parsing is.
        let footer = ParquetSurgery.footerStart(bytes)
        func position() -> Int { Bool.random(using: &rng) ? Int.random(in: footer..<n, using: &rng) : Int.random(in: 0..<n, using: &rng) }
        switch Mutation.allCases.randomElement(using: &rng)! {
        case .flipBits:
            let p = position()
            bytes[p] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            if Bool.random(using: &rng) { bytes[p] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng) }
            return p..<(p + 1)
        case .setByte:
            let p = position()
            bytes[p] = [0, 0xff, 0x7f, 0x80, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
            return p..<(p + 1)
        case .overwriteRun:
            let p = position()
            let k = min(Int.random(in: 1...16, using: &rng), n - p)
            for i in p..<(p + k) { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
            return p..<(p + k)
        case .truncate:
            bytes.removeLast(Int.random(in: 1..<n, using: &rng))
            return nil
        case .copyRange:
            let from = Int.random(in: 0..<n, using: &rng), to = position()
            let k = min(Int.random(in: 1...64, using: &rng), n - from, n - to)
            bytes.replaceSubrange(to..<(to + k), with: Array(bytes[from..<(from + k)]))
            return to..<(to + k)
        case .insertBytes:
            bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) },
                         at: position())
            return nil
        case .deleteBytes:
            let p = position()
            bytes.removeSubrange(p..<min(n, p + Int.random(in: 1...8, using: &rng)))
            return nil
        }
    }

    /// A successful read must be internally consistent, whatever its values.
    static func checkShape(_ table: ParquetTable, file: ParquetFile) {
        for c in table.columns {
            #expect(c.rowCount == file.rowCount)
            if let v = c.validity { #expect(v.count == c.rowCount) }
            if let o = c.offsets {
                #expect(o.first == 0 && o.last == c.values.count && zip(o, o.dropFirst()).allSatisfy { $0 <= $1 })
                if let ev = c.elementValidity { #expect(ev.count == c.values.count) }
            }
            if case .bytes(let b, _) = c.values { #expect(b.offsets.last == b.bytes.count) }
        }
    }

    static func fuzz(_ original: [UInt8], name: String, iterations: Int, seed: UInt64) throws -> Outcome {
        let reference = try ParquetFile(bytes: original, name: name).read()
        let file = try ParquetFile(bytes: original, name: name)
        // Page bodies guarded by a CRC.
        var guarded: [Range<Int>] = []
        for g in 0..<file.rowGroupCount {
            for leaf in file.schema.leaves {
                for p in try file.pageHeaders(rowGroup: g, column: leaf.name) where p.hasChecksum && p.compressedSize > 0 {
                    guarded.append(p.bodyOffset..<(p.bodyOffset + p.compressedSize))
                }
            }
        }
        var rng = SeededRandom(seed: seed)
        var outcome = Outcome()
        for _ in 0..<iterations {
            var bytes = original
            let changed = mutate(&bytes, &rng)
            let start = Date()
            do {
                let f = try ParquetFile(bytes: bytes, name: name, options: limits)
                let table = try f.read()
                checkShape(table, file: f)
                let same = table.columns.count == reference.columns.count
                    && zip(table.columns, reference.columns).allSatisfy(ParquetCanonical.sameContent)
                if same { outcome.identical += 1 } else { outcome.different += 1 }
                if let changed, bytes != original, guarded.contains(where: { $0.contains(changed.lowerBound) && $0.contains(changed.upperBound - 1) }) {
                    Issue.record("\(name): a change at \(changed) inside a checksummed page body went unnoticed")
                }
            } catch let e {
                outcome.errors += 1
                #expect(e.file == name, "\(e)")
                if let changed, guarded.contains(where: { $0.contains(changed.lowerBound) && $0.contains(changed.upperBound - 1) }) {
                    outcome.pageBodyHits += 1
                }
            }
            outcome.slowest = max(outcome.slowest, Date().timeIntervalSince(start))
        }
        return outcome
    }

    static func writerFile(compression: ParquetCompression, version: ParquetDataPageVersion, seed: UInt64) throws -> [UInt8] {
        let path = temporaryPath("fuzz.parquet")
        let options = ParquetWriteOptions(compression: compression, dataPageVersion: version, pageSizeLimit: 400, rowGroupRows: 20)
        try ParquetWriter.write(path: path, fields: ParquetSamples.fields(), columns: ParquetSamples.columns(rows: 45, seed: seed, nulls: true),
                                options: options)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// One line per fuzz run that cannot be mistaken for a failure: every
    /// corrupted file is expected to be refused or read, never to crash.
    static func summary(_ what: String, _ o: Outcome, iterations: Int) -> String {
        "Parquet fuzz \(what): \(iterations) corrupted copies, all handled: \(o.errors) refused with a clear error, "
            + "\(o.identical) read back unchanged, \(o.different) read with changed values; "
            + "slowest \(String(format: "%.3f", o.slowest)) s"
    }

    @Test(arguments: [(ParquetCompression.none, ParquetDataPageVersion.v1, UInt64(1)), (.snappy, .v2, 2), (.zstd(), .v1, 3),
                      (.gzip(), .v2, 4)])
    func corruptedQadFilesNeverCrash(_ compression: ParquetCompression, _ version: ParquetDataPageVersion, _ seed: UInt64) throws {
        let original = try Self.writerFile(compression: compression, version: version, seed: seed)
        let outcome = try Self.fuzz(original, name: "qad-\(seed).parquet", iterations: 1000, seed: seed)
        print(Self.summary("qad \(compression) \(version)", outcome, iterations: 1000))
        #expect(outcome.errors > 300)
        #expect(outcome.pageBodyHits > 0)
        #expect(outcome.slowest < 2)
    }

    @Test(.needs(.python), arguments: ["nulls", "v2", "dict_fallback", "struct"])
    func corruptedPyarrowFilesNeverCrash(_ name: String) throws {
        let dir = try #require(try PyarrowFixtures.directory.get())
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).parquet")))
        // dict_fallback is the largest fixture (290 kB): fewer rounds.
        let outcome = try Self.fuzz(original, name: "\(name).parquet", iterations: name == "dict_fallback" ? 150 : 500,
                                    seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        print(Self.summary("pyarrow \(name)", outcome, iterations: name == "dict_fallback" ? 150 : 500))
        #expect(outcome.errors > 0)
        #expect(outcome.slowest < 2)
    }
}
