import ArgumentParser
import Foundation
import QADCore
import QADFormats

extension Bench {
    /// The qad side of Benchmarks/bench_parquet.sh: reads the ARD columns of
    /// every Parquet file under a folder, one row group at a time, in one
    /// thread, and prints read throughput and peak RSS in the form the
    /// pyarrow peer (Benchmarks/parquet_peer.py) uses.
    struct Parquet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every .parquet file under a folder (ARD columns, one thread): MB/s, spectra/s, peak RSS.")

        @Argument(help: "A folder of ARD tiles (searched recursively for *.parquet).")
        var folder: String

        static let columns = ["target_id", "z", "wavelength", "flux", "ivar", "mask_array"]

        func validate() throws {
            guard FileManager.default.fileExists(atPath: folder) else { throw ValidationError("\(folder): no such folder") }
        }

        func run() throws {
            let enumerator = FileManager.default.enumerator(atPath: folder)
            var files: [String] = []
            while let f = enumerator?.nextObject() as? String { if f.hasSuffix(".parquet") { files.append(folder + "/" + f) } }
            files.sort()
            guard !files.isEmpty else { throw LocatedError(file: folder, message: "holds no .parquet files") }
            let size = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
            let before = Self.peakRSSMegabytes()
            _ = try ParquetFile(path: files[0]).readRowGroup(0, columns: Self.columns)  // warm up
            let start = Date()
            var spectra = 0
            var checksum = 0.0
            for path in files {
                let file = try ParquetFile(path: path)
                for g in 0..<file.rowGroupCount {
                    let table = try file.readRowGroup(g, columns: Self.columns)
                    spectra += table.rowCount
                    // Touch the decoded arrays so nothing is optimized away.
                    checksum += table["flux"]?.doubles?.last ?? 0
                    checksum += Double((table["wavelength"]?.floats?.count ?? 0) + (table["mask_array"]?.int64s?.count ?? 0))
                }
            }
            let seconds = Date().timeIntervalSince(start)
            let mb = Double(size) / 1e6
            print(String(format: "qad: %d files, %.0f MB, %d spectra in %.2f s: %.0f MB/s, %.0f spectra/s, peak RSS %.0f MB (%.0f MB before any Parquet read) [%g]",
                         files.count, mb, spectra, seconds, mb / seconds, Double(spectra) / seconds, Self.peakRSSMegabytes(),
                         before, checksum))
        }

        static func peakRSSMegabytes() -> Double {
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
    }
}
