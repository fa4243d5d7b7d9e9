import QADCore
import QADFormats
import QADSpectra

/// What reading and preprocessing one file gave.
struct PreprocessedFile {
    /// Selection results (its `spectra` stay empty).
    var read: SourceRead
    var spectra: [PreprocessedSpectrum] = []
    /// Rows preprocessing rejected, in row order.
    var rejected: [InputProblem] = []
}

extension DESICoaddSource {
    /// Rows read per block: 64 rows of B/R/Z FLUX, IVAR and MASK are ~6 MB.
    static let blockRows = 64
    /// Unselected rows read through rather than starting a new block: reading a
    /// row costs less than the extra system calls of a new block.
    static let maxGapRows = 4

    /// Reads and preprocesses the selected rows of a coadd block by block: the
    /// merge plan is made once per file (every row shares the wavelength
    /// grids), each block of rows is one read per HDU, and a row's pixels go
    /// from the block straight into the kernel. Memory stays at one block plus
    /// the preprocessed rows. Files whose images are not plain float32/int32
    /// (gzip, tile-compressed, other types) go through cfitsio row arrays.
    func preprocess(_ path: String, selection: SampleSelection, preprocessor: Preprocessor,
                    workspace: PreprocessingWorkspace) throws -> PreprocessedFile {
        let coadd = try DESICoaddFile(path: path)
        let (read, targets) = try select(coadd, path: path, selection: selection)
        var result = PreprocessedFile(read: read)
        guard !targets.isEmpty else { return result }
        result.spectra.reserveCapacity(targets.count)

        guard let reader = try coadd.blockReader(maxRows: Self.blockRows) else {
            let arms = try coadd.readArms(rows: targets.map(\.sourceRow))
            for (i, t) in targets.enumerated() {
                let s = ObservedSpectrum(info: t.info, arms: arms[i], survey: t.survey, sourceFile: t.sourceFile,
                                         sourceHDU: t.sourceHDU, sourceRow: t.sourceRow)
                do { result.spectra.append(try preprocessor.process(s, workspace: workspace)) }
                catch { result.rejected.append(error) }
            }
            return result
        }

        let plan = workspace.plan(for: DESICoaddFile.arms.map { coadd.wavelengths[$0]! })
        var k = 0
        while k < targets.count {
            let first = targets[k].sourceRow
            var end = k + 1
            while end < targets.count, targets[end].sourceRow - first < Self.blockRows,
                  targets[end].sourceRow - targets[end - 1].sourceRow <= Self.maxGapRows + 1 {
                end += 1
            }
            try reader.read(first..<(targets[end - 1].sourceRow + 1))
            for t in targets[k..<end] {
                let arms = reader.arms.map { a in
                    let offset = (t.sourceRow - first) * a.width
                    return ArmPixels(flux: a.flux + offset, ivar: a.ivar + offset,
                                     mask: .bits32(a.mask + offset, zero: a.maskZero))
                }
                do { result.spectra.append(try preprocessor.process(t, plan: plan, arms: arms, workspace: workspace)) }
                catch { result.rejected.append(error) }
            }
            k = end
        }
        return result
    }
}
