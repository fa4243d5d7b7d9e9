import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// qad and astropy read each other's FITS files value for value.
@Suite struct AstropyInteropTests {
    let script = packageRoot.appendingPathComponent("tools/fits_interop.py").path

    @Test func astropyReadsWhatQadWrites() throws {
        guard let python = try crossCheckPython() else { return }
        let path = temporaryPath("qad-written.fits")
        try writeEveryTypeFile(path)
        let result = try run(python, [script, "check", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func qadReadsWhatAstropyWrites() throws {
        guard let python = try crossCheckPython() else { return }
        let path = temporaryPath("astropy-written.fits")
        let result = try run(python, [script, "write", path])
        try #require(result.status == 0, "\(result.output)")
        try expectEveryTypeValues(path)
    }
}
