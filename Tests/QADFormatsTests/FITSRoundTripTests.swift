import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADFormats

@Suite struct FITSRoundTripTests {
    @Test func imagesAndTablesOfEveryTypeRoundTrip() throws {
        let path = temporaryPath("roundtrip.fits")
        try writeEveryTypeFile(path)
        try expectEveryTypeValues(path)
        let f = try FITSFile.open(path)
        #expect(try f.intKey("NOSUCHKEY") == nil)
        var row = [Float](repeating: 0, count: 3)
        try f.moveTo(hdu: "F32")
        try row.withUnsafeMutableBufferPointer { try f.readImageRow(1, width: 3, into: $0) }
        #expect(row == [4, 5, 6.5])
    }

    @Test func errorsNameFileHDUAndColumn() throws {
        let path = temporaryPath("small.fits")
        do {
            let f = try FITSFile.create(path)
            try f.createTable(name: "FIBERMAP", columns: [.of("TARGETID", Int64.self)], rows: 1)
            try f.writeColumn("TARGETID", [Int64(5)])
            try f.close()
        }
        let f = try FITSFile.open(path)
        let missingHDU = #expect(throws: FITSError.self) { try f.moveTo(hdu: "B_FLUX") }
        #expect(missingHDU?.description.contains(path) == true)
        #expect(missingHDU?.hdu == "B_FLUX")
        try f.moveTo(hdu: "FIBERMAP")
        let missingColumn = #expect(throws: FITSError.self) { _ = try f.readColumn("Z", as: Double.self) }
        #expect(missingColumn?.column == "Z")
        #expect(missingColumn?.hdu == "FIBERMAP")
        #expect(throws: FITSError.self) { _ = try FITSFile.open(temporaryPath("does-not-exist.fits")) }
    }

    @Test func truncatedAndNonFITSFilesGiveErrorsNotCrashes() throws {
        let real = sharedData("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: real))
        let truncated = temporaryPath("truncated.fits")
        try bytes.prefix(50_000).write(to: URL(fileURLWithPath: truncated))
        let error = #expect(throws: FITSError.self) {
            let f = try FITSFile.open(truncated)
            try f.moveTo(hdu: "B_FLUX")
            _ = try f.readImage(Float.self)
        }
        #expect(error?.file == truncated)

        let garbage = temporaryPath("garbage.fits")
        try Data("this is not a FITS file at all".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: FITSError.self) { _ = try FITSFile.open(garbage) }
    }
}

/// A TARGETID above 2^53: it must survive every round trip exactly.
let everyTypeTargetID: Int64 = 39_633_559_463_397_282

/// Writes the reference file of every image and column type; tools/fits_interop.py
/// writes and checks the same values on the astropy side.
func writeEveryTypeFile(_ path: String) throws {
    let f = try FITSFile.create(path)
    try f.writeKey("SURVEY", "main")
    try f.writeKey("HPXPIXEL", Int64(9144))
    try f.writeImage(name: "F32", shape: [2, 3], data: [Float]([1, 2, 3, 4, 5, 6.5]))
    try f.writeImage(name: "F64", shape: [4], data: [3600.0, 3600.8, 3601.6, 3602.4])
    try f.writeImage(name: "I32", shape: [1, 3], data: [Int32]([-1, 0, Int32.max]))
    try f.createTable(name: "CAT", columns: [
        .of("TARGETID", Int64.self),
        .of("FIBER", Int32.self),
        .of("PETAL", Int16.self),
        .of("FLUX", Float.self, unit: "1e-17 erg/(s cm2 Angstrom)", display: "F8.3"),
        .of("Z", Double.self),
        FITSColumnSpec(name: "GOOD", kind: .logical),
        FITSColumnSpec(name: "SPECTYPE", kind: .string(width: 6)),
        .of("COEFF", Float.self, repeat: 3),
    ], rows: 2)
    try f.writeColumn("TARGETID", [everyTypeTargetID, -1])
    try f.writeColumn("FIBER", [Int32(7), 4999])
    try f.writeColumn("PETAL", [Int16(0), 9])
    try f.writeColumn("FLUX", [Float(1.5), -2.25])
    try f.writeColumn("Z", [2.116627083471065, 0.0])
    try f.writeLogicals("GOOD", [true, false])
    try f.writeStrings("SPECTYPE", ["QSO", "GALAXY"])
    try f.writeColumn("COEFF", [Float(1), 2, 3, 4, 5, 6])
    try f.close()
}

/// Checks a file holds exactly the values of `writeEveryTypeFile`.
func expectEveryTypeValues(_ path: String) throws {
    let f = try FITSFile.open(path)
    #expect(try f.hduNames() == ["PRIMARY", "F32", "F64", "I32", "CAT"])
    #expect(try f.stringKey("SURVEY") == "main")
    #expect(try f.intKey("HPXPIXEL") == 9144)
    try f.moveTo(hdu: "F32")
    #expect(try f.imageShape() == [2, 3])
    #expect(try f.readImage(Float.self) == [1, 2, 3, 4, 5, 6.5])
    try f.moveTo(hdu: "F64")
    #expect(try f.readImage(Double.self) == [3600.0, 3600.8, 3601.6, 3602.4])
    try f.moveTo(hdu: "I32")
    #expect(try f.readImage(Int32.self) == [-1, 0, Int32.max])
    try f.moveTo(hdu: "CAT")
    #expect(try f.rowCount() == 2)
    #expect(try f.readColumn("TARGETID", as: Int64.self) == [everyTypeTargetID, -1])
    #expect(try f.readColumn("FIBER", as: Int32.self) == [7, 4999])
    #expect(try f.readColumn("PETAL", as: Int16.self) == [0, 9])
    #expect(try f.readColumn("FLUX", as: Float.self) == [1.5, -2.25])
    #expect(try f.readColumn("Z", as: Double.self) == [2.116627083471065, 0.0])
    #expect(try f.readLogicals("GOOD") == [true, false])
    #expect(try f.readStrings("SPECTYPE") == ["QSO", "GALAXY"])
    #expect(try f.readColumn("COEFF", as: Float.self) == [1, 2, 3, 4, 5, 6])
    #expect(try f.columnInfo("COEFF").repeatCount == 3)
    #expect(try f.stringKey("TUNIT4") == "1e-17 erg/(s cm2 Angstrom)")
    #expect(try f.stringKey("TDISP4") == "F8.3")
}
