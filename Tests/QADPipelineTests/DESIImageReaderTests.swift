import Foundation
import QADCore
import QADFormats
import QADSpectra
import QADTestSupport
import Testing
@testable import QADPipeline

/// Ingest reads DESI coadds' images in blocks of rows straight from the
/// file; these check it against the cfitsio row arrays every other path uses.
@Suite struct DESIImageReaderTests {
    static let coadds = [sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits"),
                         sharedData("desi/edr-tile-80693/coadd-2-80693-thru20210204.fits"),
                         sharedData("desi/edr-healpix-9144/coadd-main-dark-9144.fits")]
    let preprocessor = Preprocessor(reference: QuasarModel.meanRestSpectrum(wavelengths: RestGrid.standard.centers))

    /// Every assigned fiber of the file, at z = 1.5: real masks, zero ivar and
    /// sky fibers, far more rows than the QSO catalogs select.
    func everyRow(_ path: String) throws -> SampleSelection {
        var catalog = QSOCatalog()
        for id in try DESICoaddFile(path: path).targetIDs where id >= 0 {
            _ = catalog.add(id, QSOCatalogEntry(z: 1.5), source: "test")
        }
        return SampleSelection(catalog: catalog)
    }

    /// Images read in blocks and the cfitsio arrays give identical spectra, columns and problems.
    func expectSameAsCfitsio(_ path: String, selection: SampleSelection) throws {
        let source = DESICoaddSource()
        let blocks = try source.preprocess(path, selection: selection, preprocessor: preprocessor,
                                           workspace: PreprocessingWorkspace())
        let read = try source.read(path, selection: selection)
        var expected: [PreprocessedSpectrum] = [], rejected: [InputProblem] = []
        for s in read.spectra {
            do { expected.append(try preprocessor.process(s)) } catch { rejected.append(error) }
        }
        #expect(blocks.read.notSelected == read.notSelected && blocks.read.skipped == read.skipped)
        #expect(blocks.rejected == rejected)
        #expect(blocks.spectra.count == expected.count && !expected.isEmpty)
        for (a, b) in zip(blocks.spectra, expected) {
            #expect(a.sourceRow == b.sourceRow && a.info.targetID == b.info.targetID)
            #expect(a.flux == b.flux && a.weight == b.weight)
            #expect(a.snr == b.snr && a.amplitude == b.amplitude && a.armStep == b.armStep)
            #expect(a.maskFraction == b.maskFraction && a.zeroIvarFraction == b.zeroIvarFraction)
            #expect(a.coveredBins == b.coveredBins && a.flags == b.flags && a.warnings == b.warnings)
        }
    }

    @Test(arguments: coadds) func imagesReadInBlocksMatchCfitsioRows(path: String) throws {
        let coadd = try DESICoaddFile(path: path)
        #expect(try coadd.imageReader(capacity: 8) != nil)  // real DESI images are read directly
        try expectSameAsCfitsio(path, selection: try everyRow(path))
    }

    @Test func gzipCoaddsGoThroughCfitsioWithTheSameResult() throws {
        let plain = Self.coadds[0]
        let gz = temporaryDirectory() + "/coadd-1-80693-thru20210204.fits.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(plain)' > '\(gz)'"]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(try DESICoaddFile(path: gz).imageReader(capacity: 8) == nil)
        let selection = try everyRow(plain)
        let a = try DESICoaddSource().preprocess(plain, selection: selection, preprocessor: preprocessor,
                                                 workspace: PreprocessingWorkspace())
        let b = try DESICoaddSource().preprocess(gz, selection: selection, preprocessor: preprocessor,
                                                 workspace: PreprocessingWorkspace())
        #expect(a.spectra.count == b.spectra.count && a.spectra.map(\.flux) == b.spectra.map(\.flux))
        #expect(a.spectra.map(\.snr) == b.spectra.map(\.snr))
    }

    @Test func imageDataCutShortFailsNamingHDUAndRow() throws {
        let path = Self.coadds[0]
        let fits = try FITSFile.open(path)
        try fits.moveTo(hdu: "Z_MASK")
        let layout = try #require(try fits.rawImageLayout())
        let width = try fits.imageShape()[1]
        // Keep the headers and the first 3 rows of Z_MASK.
        let cut = temporaryDirectory() + "/coadd-cut.fits"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(layout.dataOffset + 3 * width * 4).write(to: URL(fileURLWithPath: cut))
        #expect {
            _ = try DESICoaddSource().preprocess(cut, selection: try everyRow(path), preprocessor: preprocessor,
                                                 workspace: PreprocessingWorkspace())
        } throws: { error in
            "\(error)".contains("coadd-cut.fits HDU Z_MASK") && "\(error)".contains("row ")
                && "\(error)".contains("file ends inside the image data")
        }
    }

    @Test func aFileThatShrinksWhileReadFailsNamingHDUAndRow() throws {
        let copy = temporaryDirectory() + "/coadd-shrinks.fits"
        try FileManager.default.copyItem(atPath: Self.coadds[0], toPath: copy)
        let coadd = try DESICoaddFile(path: copy)
        let reader = try #require(try coadd.imageReader(capacity: 4))
        try reader.read(0..<4)
        let fits = try FITSFile.open(copy)
        try fits.moveTo(hdu: "Z_MASK")  // the last image of the file read
        let layout = try #require(try fits.rawImageLayout())
        let width = try fits.imageShape()[1]
        #expect(truncate(copy, off_t(layout.dataOffset + 10 * width * 4)) == 0)  // 10 rows of Z_MASK left
        try reader.read(6..<10)
        #expect {
            try reader.read(8..<12)
        } throws: { error in
            "\(error)".contains("coadd-shrinks.fits HDU Z_MASK") && "\(error)".contains("row 10")
        }
    }
}
