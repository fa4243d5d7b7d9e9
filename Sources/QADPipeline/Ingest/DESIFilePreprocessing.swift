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

extension PreprocessedFile {
    /// Preprocesses the array spectra a source read; they end in `spectra` or `rejected`.
    init(preprocessing read: SourceRead, preprocessor: Preprocessor, workspace: PreprocessingWorkspace) {
        var selection = read
        selection.spectra = []
        self.init(read: selection)
        for s in read.spectra {
            do { spectra.append(try preprocessor.process(s, workspace: workspace)) }
            catch { rejected.append(error) }
        }
    }
}

extension DESIImageReader {
    /// One row's pixels in every arm, as the kernel reads them from the buffer.
    func pixels(row: Int) -> [ArmPixels] {
        DESICoaddFile.arms.indices.map { a in
            let p = arm(a, row: row)
            return ArmPixels(bigEndianFlux: p.flux, ivar: p.ivar, mask: .bits32(p.mask, zero: p.maskZero))
        }
    }
}

extension DESICoaddSource {
    /// Most rows read at once.
    static let blockRows = 16

    /// Reads and preprocesses the selected rows of a coadd: the merge plan is
    /// made once per file (every row shares the wavelength grids) and each
    /// row's pixels go from the file, read in blocks, straight into the kernel, so
    /// memory holds only the preprocessed rows. Files whose images are not
    /// plain float32/int32 (gzip, tile-compressed, other types) are read
    /// through cfitsio row arrays.
    func preprocess(_ path: String, selection: SampleSelection, preprocessor: Preprocessor,
                    workspace: PreprocessingWorkspace) throws -> PreprocessedFile {
        let coadd = try DESICoaddFile(path: path)
        let (read, targets) = try select(coadd, path: path, selection: selection)
        var result = PreprocessedFile(read: read)
        guard !targets.isEmpty else { return result }
        result.spectra.reserveCapacity(targets.count)

        guard let images = try coadd.imageReader(capacity: Self.blockRows) else {
            var arrays = read
            arrays.spectra = try observedSpectra(coadd, targets)
            return PreprocessedFile(preprocessing: arrays, preprocessor: preprocessor, workspace: workspace)
        }

        let plan = workspace.plan(for: DESICoaddFile.arms.map { coadd.wavelengths[$0]! })
        var k = 0
        while k < targets.count {
            // A run of consecutive selected rows (at most a block) is read at
            // once; the galaxies and stars between runs are not read.
            var end = k + 1
            while end < targets.count, end - k < Self.blockRows,
                  targets[end].sourceRow == targets[end - 1].sourceRow + 1 { end += 1 }
            try images.read(targets[k].sourceRow..<(targets[end - 1].sourceRow + 1))
            for t in targets[k..<end] {
                do {
                    result.spectra.append(try preprocessor.process(t, plan: plan, arms: images.pixels(row: t.sourceRow),
                                                                   workspace: workspace))
                }
                catch { result.rejected.append(error) }
            }
            k = end
        }
        return result
    }
}
