import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// The qad side of Benchmarks/bench_parquet.sh. It runs only when
/// QAD_PARQUET_BENCH_DIR names a folder of ARD tiles: it reads the ARD
/// columns of every tile, one row group at a time, in one thread, and
/// prints read throughput and peak RSS in the form the pyarrow peer uses.
@Suite struct ParquetBenchmark {
    static let columns = ["target_id", "z", "wavelength", "flux", "ivar", "mask_array"]

    static func peakRSSMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    static func readAll(_ files: [String]) throws -> (spectra: Int, checksum: Double) {
        var spectra = 0
        var checksum = 0.0
        for path in files {
            let file = try ParquetFile(path: path)
            for g in 0..<file.rowGroupCount {
                let table = try file.readRowGroup(g, columns: columns)
                spectra += table.rowCount
                // Touch the decoded arrays so nothing is optimized away.
                checksum += table["flux"]!.doubles!.last ?? 0
                checksum += Double(table["wavelength"]!.floats!.count + table["mask_array"]!.int64s!.count)
            }
        }
        return (spectra, checksum)
    }

    @Test func readThroughputOnARDTiles() throws {
        guard let dir = ProcessInfo.processInfo.environment["QAD_PARQUET_BENCH_DIR"], !dir.isEmpty else { return }
        let enumerator = FileManager.default.enumerator(atPath: dir)
        var files: [String] = []
        while let f = enumerator?.nextObject() as? String { if f.hasSuffix(".parquet") { files.append(dir + "/" + f) } }
        files.sort()
        let size = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        let before = Self.peakRSSMegabytes()
        _ = try ParquetFile(path: files[0]).readRowGroup(0, columns: Self.columns)  // warm up
        let start = Date()
        let (spectra, checksum) = try Self.readAll(files)
        let seconds = Date().timeIntervalSince(start)
        let mb = Double(size) / 1e6
        print(String(format: "qad: %d files, %.0f MB, %d spectra in %.2f s: %.0f MB/s, %.0f spectra/s, peak RSS %.0f MB (%.0f MB before any Parquet read) [%g]",
                     files.count, mb, spectra, seconds, mb / seconds, Double(spectra) / seconds, Self.peakRSSMegabytes(),
                     before, checksum))
        #expect(spectra > 0)
    }
}
