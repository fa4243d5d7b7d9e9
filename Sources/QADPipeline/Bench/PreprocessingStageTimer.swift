import Foundation
import QADCore
import QADFormats
import QADSpectra

/// Times each ingest stage on every row of one DESI coadd, for `qad bench
/// stages`: where the microseconds of a spectrum go (read, merge, S/N median,
/// rebin, the whole preprocessing). Each stage runs twice and the second,
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
            let rows = Array(0..<coadd.targetIDs.count)
            guard !rows.isEmpty else { return result }
            timings.spectra = rows.count
            func time(_ name: String, _ body: () throws -> Void) rethrows {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                timings.microseconds.append((name, seconds / Double(rows.count) * 1e6))
            }
            var arms: [[ArmSpectrum]] = []
            try time("read (cfitsio)") { arms = try coadd.readArms(rows: rows) }
            // Stages are timed on results that are not kept, as in ingest (keeping
            // 500 merged spectra would time page faults instead).
            var sink = 0.0
            time("merge arms") { for a in arms { sink += ArmMerger.merge(a).armStep } }
            let merged = arms.map { ArmMerger.merge($0).spectrum }
            time("pixel S/N") { for m in merged { sink += Preprocessor.pixelSNR(m).first ?? 0 } }
            var snr = merged.map(Preprocessor.pixelSNR)
            time("S/N median") { for i in snr.indices where !snr[i].isEmpty { sink += median(&snr[i]) } }
            time("rebin") { for m in merged { sink += preprocessor.rebinner.rebin(m, z: z).flux[0] } }
            time("whole preprocessing") {
                for a in arms {
                    let s = ObservedSpectrum(info: TargetInfo(targetID: 1, z: z, zSource: .catalog), arms: a,
                                             survey: "DESI", sourceFile: path, sourceHDU: "FIBERMAP", sourceRow: 0)
                    sink += (try? preprocessor.process(s))?.amplitude ?? 0
                }
            }
            if sink.isNaN { timings.microseconds.append(("(nan)", 0)) }  // keeps the work observable
            if pass == 1 { result = timings }
        }
        return result
    }
}
