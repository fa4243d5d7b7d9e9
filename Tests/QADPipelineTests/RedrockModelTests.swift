import Foundation
import QADCore
import QADFormats
import QADPipeline
import QADTestSupport
import Testing

/// The redrock model the review page draws: Σ cᵢ·Tᵢ(λ/(1+z)) from a REDSHIFTS
/// row and the matching rrtemplate, checked against NumPy reading the same
/// files with astropy.
@Suite struct RedrockModelTests {
    static let templates = sharedData("templates/redrock")

    /// A coadd copied from the real data, with a redrock file beside it whose
    /// first row is a QSO LOZ fit and second a GALAXY fit (no such template here).
    static func coaddWithRedrock() throws -> (coadd: String, redrock: String, ids: [TargetID]) {
        let dir = temporaryDirectory()
        let coadd = dir + "/coadd-test-1.fits"
        try FileManager.default.copyItem(atPath: sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits"), toPath: coadd)
        let ids = Array(try DESICoaddFile(path: coadd).targetIDs.prefix(2))
        let redrock = dir + "/redrock-test-1.fits"
        let fits = try FITSFile.create(redrock)
        try fits.createTable(name: "REDSHIFTS", columns: [
            .init(name: "TARGETID", kind: .numeric(tform: "K")), .init(name: "Z", kind: .numeric(tform: "D")),
            .init(name: "SPECTYPE", kind: .string(width: 6)), .init(name: "SUBTYPE", kind: .string(width: 20)),
            .init(name: "COEFF", kind: .numeric(tform: "10D")),
        ], rows: 2)
        try fits.writeColumn("TARGETID", ids)
        try fits.writeColumn("Z", [2.31, 0.4])
        try fits.writeStrings("SPECTYPE", ["QSO", "GALAXY"])
        try fits.writeStrings("SUBTYPE", ["LOZ", ""])
        try fits.writeColumn("COEFF", [12.0, -3.5, 1.25, 0.5, 0, 0, 0, 0, 0, 0] + [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        try fits.close()
        return (coadd, redrock, ids)
    }

    static func record(_ coadd: String, _ id: TargetID) -> SpectrumRecord {
        SourcePixelsTests.record(coadd, row: 0, targetid: id)
    }

    @Test func theNewestMatchingTemplateIsUsedAndMissingOnesAreNamed() throws {
        let (coadd, redrock, ids) = try Self.coaddWithRedrock()
        let fit = try #require(try RedrockFile.fit(redrock, targetid: ids[0]))
        #expect(fit.spectype == "QSO" && fit.subtype == "LOZ" && fit.z == 2.31 && fit.coefficients.prefix(4) == [12, -3.5, 1.25, 0.5])
        let t = try RedrockModel.template(for: fit, in: Self.templates)
        #expect(t.version == "1.1" && t.basis.count == 4 && t.restWavelength.count == 8603)
        #expect(abs(t.restWavelength[0] - pow(10, 3.1236)) < 1e-6)
        let galaxy = try #require(try RedrockFile.fit(redrock, targetid: ids[1]))
        #expect(throws: LocatedError.self) { try RedrockModel.template(for: galaxy, in: Self.templates) }
        #expect(try RedrockFile.fit(redrock, targetid: 12) == nil)
        // No redrock file beside the source: an error naming the source.
        let lonely = SourcePixelsTests.record(sharedData("desi/edr-tile-80693/coadd-2-80693-thru20210204.fits"), row: 0, targetid: 1)
        #expect(throws: LocatedError.self) { try RedrockModel.model(of: lonely, templates: Self.templates, at: [5000]) }
        _ = coadd
    }

    /// Templates are kept between requests, but a changed folder is read again.
    @Test func aChangedTemplateFolderIsReadAgain() throws {
        let (_, redrock, ids) = try Self.coaddWithRedrock()
        let fit = try #require(try RedrockFile.fit(redrock, targetid: ids[0]))
        let folder = temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.templates) {
            try FileManager.default.copyItem(atPath: Self.templates + "/" + name, toPath: folder + "/" + name)
        }
        let first = try RedrockModel.template(for: fit, in: folder)
        #expect(try RedrockModel.template(for: fit, in: folder).basis == first.basis)
        try FileManager.default.removeItem(atPath: first.path)
        #expect((try? RedrockModel.template(for: fit, in: folder))?.path != first.path)
    }

    @Test(.needs(.python)) func theModelAgreesWithNumPy() throws {
        let python = try requirePython()
        let (coadd, redrock, ids) = try Self.coaddWithRedrock()
        let lambda = stride(from: 3600.0, through: 9800.0, by: 7.3).map { $0 }
        let model = try RedrockModel.model(of: Self.record(coadd, ids[0]), templates: Self.templates, at: lambda)
        #expect(model.template == "rrtemplate-QSO-LOZ-v1.1.fits")
        let script = """
            import sys, numpy as np
            from astropy.io import fits
            rr = fits.getdata(sys.argv[1], 'REDSHIFTS')
            h = fits.open(sys.argv[2])[0]
            wave = 10 ** (h.header['CRVAL1'] + h.header['CDELT1'] * (np.arange(h.data.shape[1]) + 1 - h.header.get('CRPIX1', 1)))
            flux = rr['COEFF'][0][:h.data.shape[0]] @ h.data
            lam = np.arange(3600.0, 9800.0 + 1e-9, 7.3) / (1 + rr['Z'][0])
            out = np.where((lam >= wave[0]) & (lam <= wave[-1]), np.interp(lam, wave, flux), np.nan)
            print(' '.join(repr(float(v)) for v in out))
            """
        let path = temporaryPath("redrock_model.py")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try run(python, [path, redrock, Self.templates + "/rrtemplate-QSO-LOZ-v1.1.fits"])
        #expect(r.status == 0, "\(r.output)")
        let expected = r.output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        #expect(expected.count == lambda.count)
        var compared = 0
        for (a, b) in zip(model.flux, expected) {
            #expect(a.isNaN == b.isNaN)
            if b.isFinite { #expect(abs(a - b) <= 1e-9 * max(1, abs(b))); compared += 1 }
        }
        #expect(compared > 500)
    }
}
