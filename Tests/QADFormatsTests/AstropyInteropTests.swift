import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// qad and astropy read each other's FITS files value for value.
@Suite struct AstropyInteropTests {
    let script = packageRoot.appendingPathComponent("tools/fits_interop.py").path

    @Test(.needs(.python)) func astropyReadsWhatQadWrites() throws {
        let python = try requirePython()
        let path = temporaryPath("qad-written.fits")
        try writeEveryTypeFile(path)
        let result = try run(python, [script, "check", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(.needs(.python)) func qadReadsWhatAstropyWrites() throws {
        let python = try requirePython()
        let path = temporaryPath("astropy-written.fits")
        let result = try run(python, [script, "write", path])
        try #require(result.status == 0, "\(result.output)")
        try expectEveryTypeValues(path)
    }
}
