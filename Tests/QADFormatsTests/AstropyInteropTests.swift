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
        let f = try FITSFile.create(path)
        try f.writeKey("SURVEY", "main")
        try f.writeKey("HPXPIXEL", Int64(9144))
        try f.writeImage(name: "F32", shape: [2, 3], data: [Float]([1, 2, 3, 4, 5, 6.5]))
        try f.writeImage(name: "F64", shape: [4], data: [3600.0, 3600.8, 3601.6, 3602.4])
        try f.writeImage(name: "I32", shape: [1, 3], data: [Int32]([-1, 0, Int32.max]))
        try f.createTable(name: "CAT", columns: [
            .of("TARGETID", Int64.self), .of("FIBER", Int32.self), .of("PETAL", Int16.self),
            .of("FLUX", Float.self, unit: "1e-17 erg/(s cm2 Angstrom)", display: "F8.3"),
            .of("Z", Double.self), FITSColumnSpec(name: "GOOD", kind: .logical),
            FITSColumnSpec(name: "SPECTYPE", kind: .string(width: 6)), .of("COEFF", Float.self, repeat: 3),
        ], rows: 2)
        try f.writeColumn("TARGETID", [Int64(39_633_559_463_397_282), -1])
        try f.writeColumn("FIBER", [Int32(7), 4999])
        try f.writeColumn("PETAL", [Int16(0), 9])
        try f.writeColumn("FLUX", [Float(1.5), -2.25])
        try f.writeColumn("Z", [2.116627083471065, 0.0])
        try f.writeLogicals("GOOD", [true, false])
        try f.writeStrings("SPECTYPE", ["QSO", "GALAXY"])
        try f.writeColumn("COEFF", [Float(1), 2, 3, 4, 5, 6])
        try f.close()
        let result = try run(python, [script, "check", path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func qadReadsWhatAstropyWrites() throws {
        guard let python = try crossCheckPython() else { return }
        let path = temporaryPath("astropy-written.fits")
        let result = try run(python, [script, "write", path])
        try #require(result.status == 0, "\(result.output)")
        let f = try FITSFile.open(path)
        #expect(try f.hduNames() == ["PRIMARY", "F32", "F64", "I32", "CAT"])
        #expect(try f.intKey("HPXPIXEL") == 9144)
        try f.moveTo(hdu: "F32")
        #expect(try f.imageShape() == [2, 3])
        #expect(try f.readImage(Float.self) == [1, 2, 3, 4, 5, 6.5])
        try f.moveTo(hdu: "F64")
        #expect(try f.readImage(Double.self) == [3600.0, 3600.8, 3601.6, 3602.4])
        try f.moveTo(hdu: "I32")
        #expect(try f.readImage(Int32.self) == [-1, 0, Int32.max])
        try f.moveTo(hdu: "CAT")
        #expect(try f.readColumn("TARGETID", as: Int64.self) == [39_633_559_463_397_282, -1])
        #expect(try f.readColumn("FIBER", as: Int32.self) == [7, 4999])
        #expect(try f.readColumn("PETAL", as: Int16.self) == [0, 9])
        #expect(try f.readColumn("FLUX", as: Float.self) == [1.5, -2.25])
        #expect(try f.readColumn("Z", as: Double.self) == [2.116627083471065, 0.0])
        #expect(try f.readLogicals("GOOD") == [true, false])
        #expect(try f.readStrings("SPECTYPE") == ["QSO", "GALAXY"])
        #expect(try f.readColumn("COEFF", as: Float.self) == [1, 2, 3, 4, 5, 6])
        #expect(try f.stringKey("TUNIT4") == "1e-17 erg/(s cm2 Angstrom)")
    }
}
