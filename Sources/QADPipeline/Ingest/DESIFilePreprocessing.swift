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

extension DESIImageMap {
    /// One row's pixels in every arm, as the kernel reads them from the mapped file.
    func pixels(row: Int) -> [ArmPixels] {
        arms.map { a in
            let offset = row * a.width
            return ArmPixels(bigEndianFlux: a.flux + 4 * offset, ivar: a.ivar + 4 * offset,
                             mask: .bits32(a.mask + offset, zero: a.maskZero))
        }
    }
}

extension DESICoaddSource {
    /// Rows whose pages are mapped together before they are preprocessed.
    static let blockRows = 64

    /// Reads and preprocesses the selected rows of a coadd: the merge plan is
    /// made once per file (every row shares the wavelength grids) and each
    /// row's pixels go from the mapped file straight into the kernel, so
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

        guard let images = try coadd.imageMap() else {
            var arrays = read
            arrays.spectra = try observedSpectra(coadd, targets)
            return PreprocessedFile(preprocessing: arrays, preprocessor: preprocessor, workspace: workspace)
        }

        let plan = workspace.plan(for: DESICoaddFile.arms.map { coadd.wavelengths[$0]! })
        var k = 0
        while k < targets.count {
            let first = targets[k].sourceRow
            var end = k + 1
            while end < targets.count, targets[end].sourceRow - first < Self.blockRows { end += 1 }
            // Map only the selected rows (runs of consecutive ones): the
            // galaxies and stars between them would cost as much to map.
            var run = first..<(first + 1)
            for t in targets[(k + 1)..<end] {
                if t.sourceRow == run.upperBound { run = run.lowerBound..<(t.sourceRow + 1); continue }
                images.prefetch(run)
                run = t.sourceRow..<(t.sourceRow + 1)
            }
            images.prefetch(run)
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
