import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADCrossmatch

/// Catalog readers, units, presets and bad input.
@Suite struct CatalogInputTests {
    let targets = try! SkyTargets(ids: [1 << 60, 2, 3], ra: [10, 359.9999, 200], dec: [20, -5, 89.99999])

    func write(_ text: String, _ name: String = "cat.csv") -> String {
        let p = temporaryPath(name)
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func match(_ path: String, _ configure: (inout CrossmatchRequest) -> Void = { _ in }) throws -> CrossmatchResult {
        var r = CrossmatchRequest(catalogPath: path, radiusArcsec: 2)
        configure(&r)
        return try Crossmatcher(targets: targets).run(r)
    }

    @Test func csvWithQuotesCommentsUnitsAndKeptColumns() throws {
        // RA in hours; a quoted name with a comma and a quote; a comment line; CRLF.
        let p = write("# exported by hand\r\nname,ra_h,dec,w1mpro,flag\r\n\"J1, \"\"a\"\"\",0.6666666666666666,20.0002,15.25,true\r\nfar,12,0,,false\r\nseam,0.00000001,-5,14.5,\r\n")
        let result = try match(p) {
            $0.raColumn = "RA_H"; $0.decColumn = "dec"; $0.idColumn = "name"; $0.raUnit = .hour; $0.keep = ["w1mpro", "flag"]
        }
        #expect(result.sourcesRead == 3)
        #expect(result.matches[0].nearestID == "J1, \"a\"")
        #expect(abs(result.matches[0].nearestSeparationArcsec! - 0.72) < 1e-6)
        #expect(result.matches[0].values == [.float64(15.25), .bool(true)])
        // Across RA = 0/360: 359.9999° and 0.00000015° are 0.3605″ apart on Dec −5.
        #expect(result.matches[1].nearestID == "seam")
        #expect(result.matches[1].values == [.float64(14.5), .null])
        #expect(result.matches[2].countWithin == 0 && result.matches[2].nearestID == nil && result.matches[2].values == nil)
        #expect(result.keptColumns.map(\.kind) == [.float64, .bool])
    }

    @Test func badCoordinatesNameFileColumnAndRow() throws {
        let nan = write("ra,dec\n10,20\n11,nan\n")
        #expect { try match(nan) } throws: { e in
            let s = "\(e)"
            return s.contains(nan) && s.contains("column dec") && s.contains("row 1") && s.contains("line 3")
        }
        let outOfRange = write("RA,DEC\n10,20\n10,95\n")
        #expect { try match(outOfRange) } throws: { "\($0)".contains("row 1") && "\($0)".contains("outside [-90, 90]") }
        let missing = write("x,y\n1,2\n")
        #expect { try match(missing) } throws: { "\($0)".contains("column RA") && "\($0)".contains("the file has: x, y") }
        let ragged = write("ra,dec\n10,20\n10\n")
        #expect { try match(ragged) } throws: { "\($0)".contains("line 3") && "\($0)".contains("1 fields") }
        let unclosed = write("ra,dec,name\n10,20,\"open\n")
        #expect { try match(unclosed) } throws: { "\($0)".contains("not closed") }
        // Types are inferred from the first 1000 rows; a later misfit is an error naming its line.
        let wrongType = write("ra,dec,mag\n" + String(repeating: "10,20,1.5\n", count: 1000) + "11,21,bright\n")
        #expect { try match(wrongType) { $0.keep = ["mag"] } } throws: { "\($0)".contains("column mag") && "\($0)".contains("row 1000") && "\($0)".contains("line 1002") }
        let notFITS = write("SIMPLE = nonsense", "broken.fits")
        #expect { try match(notFITS) } throws: { "\($0)".contains(notFITS) }
        #expect { try match(sharedData("desi/catalogs/bad_format_spectra-main-dark-9144.fits")) } throws: { "\($0)".contains("bad_format") }
    }

    @Test func emptyCatalogsAndEmptyTargets() throws {
        let empty = write("ra,dec,id\n")
        let r = try match(empty)
        #expect(r.sourcesRead == 0 && r.pairs == 0 && r.matchedTargets == 0)
        #expect(r.matches.allSatisfy { $0.chanceMatches == 0 })
        let none = try Crossmatcher(targets: SkyTargets(ids: [], ra: [], dec: [])).run(
            CrossmatchRequest(catalogPath: write("ra,dec\n1,2\n"), radiusArcsec: 5))
        #expect(none.matches.isEmpty && none.sourcesRead == 1)
    }

    @Test func radiusZeroAndDuplicates() throws {
        // Two sources at exactly the first target's position, one 1 mas away.
        let p = write("ra,dec\n10,20\n10,20\n10,20.00000028\n")
        let zero = try match(p) { $0.radiusArcsec = 0 }
        #expect(zero.matches[0].countWithin == 2 && zero.matches[0].nearestSeparationArcsec == 0)
        #expect(zero.matches[0].nearestID == "0")   // the first of equals wins: ids are rows
        let wider = try match(p) { $0.radiusArcsec = 0.01 }
        #expect(wider.matches[0].countWithin == 3)
    }

    @Test(.needs(.python)) func parquetAndFITSReadersAgreeWithCSV() throws {
        let python = try requirePython()
        let dir = temporaryDirectory()
        let script = """
        import numpy as np, pyarrow as pa, pyarrow.parquet as pq
        from astropy.io import fits
        rng = np.random.default_rng(1)
        ra = rng.uniform(9.999, 10.001, 5000); dec = rng.uniform(19.999, 20.001, 5000)
        ids = np.arange(5000, dtype=np.int64) + (1 << 55)
        pq.write_table(pa.table({"ID": ids, "RA": ra, "DEC": dec}), "\(dir)/c.parquet", row_group_size=700)
        fits.BinTableHDU.from_columns([fits.Column("ID", "K", array=ids), fits.Column("RA", "D", array=ra),
            fits.Column("DEC", "D", array=dec)]).writeto("\(dir)/c.fits")
        with open("\(dir)/c.csv", "w") as f:
            f.write("ID,RA,DEC\\n" + "".join(f"{i},{float(a)!r},{float(d)!r}\\n" for i, a, d in zip(ids, ra, dec)))
        """
        let (status, output) = try run(python, ["-c", script])
        try #require(status == 0, "\(output)")
        var results: [CrossmatchResult] = []
        for ext in ["parquet", "fits", "csv"] {
            results.append(try match("\(dir)/c.\(ext)") { $0.idColumn = "ID"; $0.radiusArcsec = 3; $0.chunkRows = 999 })
        }
        #expect(results[0].matches[0].countWithin > 0)
        #expect(results[0].matches == results[1].matches && results[1].matches == results[2].matches)
        // The density around the first target: 5000 sources in 0.002° × 0.002° ≈ 1.25e9 per deg²
        // would need a pixel that small; the finest HEALPix pixel (0.013 deg²) holds them all.
        #expect(abs(results[0].matches[0].densityPerDeg2 - Double(5000 - results[0].matches[0].countWithin) / (LocalDensity.skyAreaDeg2 / Double(12 << 18))) < 1e-6)
    }

    @Test func chanceRateFollowsTheLocalDensity() throws {
        // 10⁴ sources spread uniformly over the whole sky: ~0.24 per deg²; at
        // nside 512 pixels are nearly empty, so the estimate climbs to a pixel
        // with ≥ 20 sources, and the chance rate is density × π r².
        var rng = SplitMix64(seed: 3)
        var lines = ["ra,dec"]
        for _ in 0..<10_000 {
            let u = Double(rng.next() >> 11) / Double(1 << 53), v = Double(rng.next() >> 11) / Double(1 << 53)
            lines.append("\(360 * u),\(asin(2 * v - 1) * 180 / .pi)")
        }
        let r = try match(write(lines.joined(separator: "\n") + "\n")) { $0.radiusArcsec = 60 }
        let expected = 10_000 / LocalDensity.skyAreaDeg2
        for m in r.matches {
            #expect(m.densityPerDeg2 > expected * 0.3 && m.densityPerDeg2 < expected * 3)
            #expect(abs(m.chanceMatches - m.densityPerDeg2 * .pi * pow(60.0 / 3600, 2)) < 1e-15)
            // At least 20 sources, unless the coarsest pixel (nside 8) holds fewer.
            #expect((m.densityAreaDeg2 * m.densityPerDeg2).rounded() >= 20
                    || m.densityAreaDeg2 == LocalDensity.skyAreaDeg2 / Double(12 << (2 * LocalDensity.coarsestOrder)))
        }
    }

    @Test func wisePresetDerivesColoursAndFlags() throws {
        let p = write("designation,ra,dec,w1mpro,w2mpro,w1sigmpro\nJ001,10,20.0001,14.0,13.0,0.03\n")
        let r = try match(p) { $0.preset = .wise }
        #expect(r.keptColumns.map(\.name) == ["w1mpro", "w1sigmpro", "w2mpro", "W1_W2", "MIR_AGN_S12", "MIR_AGN_A18"])
        #expect(r.matches[0].nearestID == "J001")
        #expect(r.matches[0].values?.suffix(3) == [.float64(1.0), .bool(true), .bool(true)])
        #expect(WISEColours.stern2012(w1: 15.0, w2: 14.3) == false)
        #expect(WISEColours.stern2012(w1: 16.5, w2: 15.5) == nil)
        // Assef+18 R90 at W2 = 16: threshold 0.65·exp(0.153·2.14²) ≈ 1.33.
        #expect(WISEColours.assef2018R90(w1: 17.2, w2: 16) == false && WISEColours.assef2018R90(w1: 17.4, w2: 16) == true)
        // Legacy Surveys fluxes (AB nanomaggies) become Vega magnitudes.
        let (w1, w2) = try #require(WISEColours.vegaMagnitudes(["FLUX_W1": .float64(100), "FLUX_W2": .float64(100)]))
        #expect(abs(w1 - (17.5 - 2.699)) < 1e-12 && abs(w2 - (17.5 - 3.339)) < 1e-12)
    }

    @Test func realLegacySurveysWISEFluxes() throws {
        let dir = sharedData("catalogs/desitarget_test")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".fits") }.sorted()
        let file = try #require(files.first { f in
            (try? FITSCatalog(path: dir + "/" + f))?.resolve("FLUX_W1") != nil
        }, "a desitarget test file with FLUX_W1")
        let catalog = try FITSCatalog(path: dir + "/" + file)
        var ras: [Double] = [], decs: [Double] = []
        try catalog.forEachChunk(columns: [catalog.resolve("RA")!, catalog.resolve("DEC")!], rows: 50) { chunk in
            if case .float64(let v) = chunk.columns[catalog.resolve("RA")!]!.values { ras += v }
            if case .float64(let v) = chunk.columns[catalog.resolve("DEC")!]!.values { decs += v }
        }
        try #require(!ras.isEmpty)
        // Targets at the catalog's own positions: every one matches itself at 0″.
        let t = try SkyTargets(ids: ras.indices.map { TargetID($0) }, ra: ras, dec: decs)
        var r = CrossmatchRequest(catalogPath: dir + "/" + file, radiusArcsec: 1)
        r.preset = .wise
        let result = try Crossmatcher(targets: t).run(r)
        #expect(result.matches.allSatisfy { $0.countWithin >= 1 && $0.nearestSeparationArcsec == 0 })
        #expect(result.keptColumns.contains { $0.name == "W1_W2" })
    }
}
