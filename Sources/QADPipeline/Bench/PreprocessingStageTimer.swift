import Foundation
import QADCore
import QADFormats
import QADSpectra

/// Times each ingest stage on every row of one DESI coadd, for `qad bench
/// stages`: where the microseconds of a spectrum go (read, merge, S/N median,
/// rebin, the whole preprocessing) as ingest runs them. Each stage runs twice and the second,
/// steady-state pass is reported.
public struct PreprocessingStageTimer {
    public struct Timings: Sendable {
        public var spectra = 0
        /// Stage name and microseconds per spectrum, in pipeline order.
        public var microseconds: [(String, Double)] = []
    }

    public let path: String

    public init(path: String) { self.path = path }

    public func run(z: Double = 2.0) throws -> Timings {
        let preprocessor = Preprocessor(reference: QuasarModel.meanRestSpectrum(wavelengths: RestGrid.standard.centers))
        var result = Timings()
        for pass in 0..<2 {
            var timings = Timings()
            let coadd = try DESICoaddFile(path: path)
            let n = coadd.targetIDs.count
            guard n > 0 else { return result }
            timings.spectra = n
            func time(_ name: String, _ body: () throws -> Void) rethrows {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                timings.microseconds.append((name, seconds / Double(n) * 1e6))
            }
            // Ingest's reads, of every row here into one buffer (so that the
            // stages below can run over all of them), reused as ingest reuses
            // its buffer: a first read faults the buffer's pages in.
            let images = try coadd.imageReader(capacity: n)
            try images?.read(0..<n)
            try time("read") { try images?.read(0..<n) }
            guard let all = images else {
                throw InputProblem(file: path, message: "not a plain float32/int32 coadd: ingest reads it through cfitsio")
            }
            let plan = MergePlan(wavelengths: DESICoaddFile.arms.map { coadd.wavelengths[$0]! })
            let stages = PreprocessingStages(preprocessor: preprocessor, plan: plan)
            // Stages are timed on results that are not kept, as in ingest.
            var sink = 0.0
            time("merge + pixel S/N") { for r in 0..<n { sink += stages.merge(all.pixels(row: r)) } }
            var merged = (0..<n).map { stages.mergedCopy(all.pixels(row: $0)) }
            time("S/N median") { for r in 0..<n where merged[r].good > 0 { sink += stages.median(&merged[r].snr, good: merged[r].good) } }
            time("rebin") { for m in merged { sink += stages.rebin(sums: m.sums, z: z) } }
            merged = []
            let workspace = PreprocessingWorkspace()
            time("whole preprocessing") {
                for r in 0..<n {
                    let target = Provenance(info: TargetInfo(targetID: 1, z: z, zSource: .catalog), survey: "DESI",
                                            sourceFile: path, sourceHDU: "FIBERMAP", sourceRow: r)
                    sink += (try? preprocessor.process(target, plan: plan, arms: all.pixels(row: r), workspace: workspace))?.amplitude ?? 0
                }
            }
            if sink.isNaN { timings.microseconds.append(("(nan)", 0)) }  // keeps the work observable
            if pass == 1 { result = timings }
        }
        return result
    }
}
