import Foundation
import QADCore
import QADFormats
import QADPipeline
import QADSpectra
import QADTestSupport
import Testing

/// `qad simulate` writes files that read back like real DESI healpix files.
@Suite struct SimulateTests {
    static let armNames = ["B", "R", "Z"]
    static let expectedHDUs = ["PRIMARY", "FIBERMAP"] + armNames.flatMap { a in
        ["WAVELENGTH", "FLUX", "IVAR", "MASK"].map { "\(a)_\($0)" }
    }

    func simulate(count: Int = 200, perFile: Int = 80, seed: UInt64 = 42, workers: Int = 2,
                  into dir: String = temporaryDirectory()) throws -> SimulationSummary {
        try simulateSurvey(SimulationConfig(outputDirectory: dir, count: count, anomalyFraction: 0.3, seed: seed,
                                            quasarFraction: 0.6, spectraPerFile: perFile, workers: workers))
    }

    /// truth.csv as TARGETID → columns (TARGETID parsed as Int64 from text).
    func truth(_ summary: SimulationSummary) throws -> [TargetID: [String: String]] {
        let text = try String(contentsOfFile: summary.truthFile, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var out: [TargetID: [String: String]] = [:]
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(fields.count == header.count)
            let id = try #require(TargetID(fields[0]))
            out[id] = Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
        return out
    }

    @Test func layoutReadsBackLikeDESI() throws {
        let summary = try simulate()
        #expect(summary.files == 3)
        #expect(summary.spectra == 200)
        #expect(summary.quasars + summary.galaxies + summary.stars == 200)
        #expect(summary.quasars > 90 && summary.quasars < 150)
        #expect(summary.anomalies > 0)
        let truth = try truth(summary)
        #expect(truth.count == 200)

        var allIDs = Set<TargetID>()
        for (coadd, redrock) in zip(summary.coaddFiles, summary.redrockFiles) {
            let hpx = Int((coadd as NSString).lastPathComponent.dropFirst("coadd-main-dark-".count).dropLast(".fits".count))!
            #expect(coadd.hasSuffix("healpix/main/dark/\(hpx / 100)/\(hpx)/coadd-main-dark-\(hpx).fits"))

            let f = try FITSFile.open(coadd)
            #expect(try f.hduNames() == Self.expectedHDUs)
            #expect(try f.intKey("HPXPIXEL") == Int64(hpx))
            #expect(try f.intKey("HPXNSIDE") == 64)
            #expect(try f.stringKey("SURVEY") == "main")
            #expect(try f.stringKey("PROGRAM") == "dark")

            try f.moveTo(hdu: "FIBERMAP")
            let ids: [Int64] = try f.readColumn("TARGETID")
            let ra: [Double] = try f.readColumn("TARGET_RA")
            let dec: [Double] = try f.readColumn("TARGET_DEC")
            #expect(try f.readStrings("OBJTYPE").allSatisfy { $0 == "TGT" })
            let rows = ids.count
            for (i, id) in ids.enumerated() {
                #expect(id > 1 << 53)
                #expect(allIDs.insert(id).inserted, "TARGETID \(id) repeated")
                // Exact integer equality with the text in truth.csv.
                let row = try #require(truth[id])
                #expect(row["TARGETID"] == String(id))
                #expect(Int(row["HPXPIXEL"]!) == hpx)
                // Inside the file's healpix pixel.
                #expect(HealpixNest.pixel(nside: 64, ra: ra[i], dec: dec[i]) == hpx)
            }

            for arm in DESIInstrument.arms {
                try f.moveTo(hdu: "\(arm.name)_WAVELENGTH")
                #expect(try f.imageShape() == [arm.count])
                let w: [Double] = try f.readImage()
                #expect(w == arm.wavelengths)
                for kind in ["FLUX", "IVAR", "MASK"] {
                    try f.moveTo(hdu: "\(arm.name)_\(kind)")
                    #expect(try f.imageShape() == [rows, arm.count])
                }
                try f.moveTo(hdu: "\(arm.name)_IVAR")
                let ivar: [Float] = try f.readImage()
                try f.moveTo(hdu: "\(arm.name)_MASK")
                let mask: [Int32] = try f.readImage()
                #expect(ivar.allSatisfy { $0 >= 0 && $0.isFinite })
                #expect(zip(mask, ivar).allSatisfy { $0.0 == 0 || $0.1 == 0 })
            }

            let r = try FITSFile.open(redrock)
            #expect(Array(try r.hduNames().prefix(3)) == ["PRIMARY", "REDSHIFTS", "FIBERMAP"])
            try r.moveTo(hdu: "REDSHIFTS")
            #expect(try r.rowCount() == rows)
            #expect(try r.readColumn("TARGETID", as: Int64.self) == ids)
            let spectype = try r.readStrings("SPECTYPE")
            #expect(Set(spectype).isSubset(of: ["QSO", "GALAXY", "STAR"]))
            #expect(try r.columnInfo("COEFF").repeatCount == 10)
            for (id, s) in zip(ids, spectype) { #expect(truth[id]?["SPECTYPE_REDROCK"] == s) }
        }
        #expect(allIDs == Set(truth.keys))

        // QSO catalog: exactly the quasars.
        let c = try FITSFile.open(summary.catalogFile)
        try c.moveTo(hdu: "QSO_CAT")
        let qids: [Int64] = try c.readColumn("TARGETID")
        let z: [Double] = try c.readColumn("Z")
        #expect(qids.count == summary.quasars)
        #expect(Set(qids) == Set(truth.filter { $0.value["CLASS"] == "QSO" }.keys))
        for (id, zc) in zip(qids, z) {
            let zt = Double(truth[id]!["Z_TRUE"]!)!
            #expect(abs(zc - zt) < 0.01 * (1 + zt))
        }
        for col in ["BAL_PROB", "BI_CIV", "AI_CIV", "TARGET_RA", "TARGET_DEC", "SURVEY", "PROGRAM"] {
            #expect(c.hasColumn(col), "QSO_CAT lacks \(col)")
        }
    }

    @Test func redrockLooksRealistic() throws {
        let summary = try simulate(count: 1500, perFile: 500)
        let truth = try truth(summary)
        let quasars = truth.values.filter { $0["CLASS"] == "QSO" }
        let good = quasars.filter { $0["SPECTYPE_REDROCK"] == "QSO" && $0["ZWARN"] == "0" }
        let fraction = Double(good.count) / Double(quasars.count)
        #expect(fraction > 0.85 && fraction < 0.98, "QSO/ZWARN=0 fraction \(fraction)")
        #expect(quasars.contains { $0["SPECTYPE_REDROCK"] != "QSO" || $0["ZWARN"] != "0" })
        #expect(truth.values.filter { $0["CLASS"] == "STAR" }.allSatisfy { $0["SPECTYPE_REDROCK"] == "STAR" })
        // Median quasar SNR ≈ 2.3, as in DESI.
        #expect(abs(summary.medianQuasarSNR - 2.3) < 0.25, "median SNR \(summary.medianQuasarSNR)")
    }

    @Test func sameSeedGivesIdenticalFilesWhateverTheWorkers() throws {
        let a = try simulate(count: 120, perFile: 50, seed: 9, workers: 1)
        let b = try simulate(count: 120, perFile: 50, seed: 9, workers: 2)
        let c = try simulate(count: 120, perFile: 50, seed: 10, workers: 2)
        for (x, y) in zip(a.coaddFiles + a.redrockFiles + [a.catalogFile, a.truthFile],
                          b.coaddFiles + b.redrockFiles + [b.catalogFile, b.truthFile]) {
            #expect(FileManager.default.contents(atPath: x) == FileManager.default.contents(atPath: y),
                    "\((x as NSString).lastPathComponent) differs between runs")
        }
        #expect(FileManager.default.contents(atPath: a.truthFile) != FileManager.default.contents(atPath: c.truthFile))
    }

    @Test func rejectsBadConfigurations() {
        let dir = temporaryDirectory()
        #expect(throws: LocatedError.self) { try simulateSurvey(SimulationConfig(outputDirectory: dir, count: 0)) }
        #expect(throws: LocatedError.self) {
            try simulateSurvey(SimulationConfig(outputDirectory: dir, count: 10, anomalyFraction: 1.5))
        }
        #expect(throws: LocatedError.self) {
            try simulateSurvey(SimulationConfig(outputDirectory: dir, count: 10, spectraPerFile: 0))
        }
    }

    /// The astropy check of tools/check_simulated_fits.py. Runs when QAD_PYTHON
    /// names a Python with astropy; in CI (CI=true) a missing QAD_PYTHON fails.
    @Test(.needs(.python)) func astropyAgreesWithTheLayout() throws {
        let python = try requirePython()
        let summary = try simulate(count: 200, perFile: 80, seed: 5)
        let script = packageRoot.appendingPathComponent("tools/check_simulated_fits.py").path
        let (status, output) = try run(python, [script, summary.outputDirectory])
        #expect(status == 0, "check_simulated_fits.py failed:\n\(output)")
        #expect(output.contains("OK: 3 healpix files, 200 spectra"), "\(output)")
    }
}
