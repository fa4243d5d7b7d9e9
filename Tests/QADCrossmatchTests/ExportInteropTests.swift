import Foundation
import QADFormats
import QADTestSupport
import Testing

/// The four export formats read by astropy, pyarrow and Python's csv
/// (tools/export_interop.py): same rows, values, types and units.
@Suite struct ExportInteropTests {
    static func table() -> CatalogTable {
        let ids: [Int64?] = [39_627_835_576_420_141, 9_007_199_254_740_993, Int64.max, -1, 1 << 62 | 5]
        return CatalogTable(
            name: "QAD_ANOMALIES", description: "test <catalog> & \"quotes\"",
            columns: [
                CatalogTableColumn(name: "TARGETID", values: .int64(ids), description: "DESI TARGETID", ucd: "meta.id;meta.main"),
                CatalogTableColumn(name: "RA", values: .float64([0, 359.99999999999994, 150.123456789012, 1e-300, 12.5]),
                                   unit: "deg", description: "Right ascension (ICRS)", displayFormat: "F14.10", ucd: "pos.eq.ra;meta.main"),
                CatalogTableColumn(name: "SEP", values: .float64([0.1, nil, 2.0000000000000004, -0.0, 1.5e-8]),
                                   unit: "arcsec", description: "separation to the nearest source"),
                CatalogTableColumn(name: "W1", values: .float32([15.25, nil, 1e-7, 17.1, -3.5]), unit: "mag"),
                CatalogTableColumn(name: "NWITHIN", values: .int32([1, nil, Int32.max, 0, -7]), description: "sources within the radius"),
                CatalogTableColumn(name: "NEAREST", values: .int64([5, nil, 9_223_372_036_854_775_000, 0, 1]), description: "nearest id"),
                CatalogTableColumn(name: "NAME", values: .string(["J1, \"a\"", "<b>&amp;</b>", "", nil, "naïve ünïcode"]),
                                   description: "a name with every kind of trouble"),
                CatalogTableColumn(name: "MIR_AGN", values: .bool([true, false, nil, true, false]), description: "mid-IR AGN colour"),
            ],
            provenance: [CatalogProvenance("QADVERS", .string("0.1.0"), comment: "qad version"),
                         CatalogProvenance("MODELID", .string(String(repeating: "a1b2c3d4", count: 12)), comment: "a long value"),
                         CatalogProvenance("RADIUS", .double(2.0), comment: "arcsec"),
                         CatalogProvenance("NSCORED", .int(1_234_567)), CatalogProvenance("ALL", .bool(true))])
    }

    /// expected.json: the values as the script compares them (int64 as strings).
    static func expected(_ t: CatalogTable) throws -> Data {
        var columns: [[String: String]] = []
        var values: [String: [Any]] = [:]
        for c in t.columns {
            var spec = ["name": c.name, "type": c.type.rawValue]
            if let u = c.unit { spec["unit"] = u }
            columns.append(spec)
            switch c.values {
            case .int64(let v): values[c.name] = v.map { $0.map { String($0) as Any } ?? NSNull() }
            case .int32(let v): values[c.name] = v.map { $0.map { String($0) as Any } ?? NSNull() }
            case .float64(let v): values[c.name] = v.map { $0.map { $0 as Any } ?? NSNull() }
            case .float32(let v): values[c.name] = v.map { $0.map { Double($0) as Any } ?? NSNull() }
            case .string(let v): values[c.name] = v.map { $0.map { $0 as Any } ?? NSNull() }
            case .bool(let v): values[c.name] = v.map { $0.map { $0 as Any } ?? NSNull() }
            }
        }
        let provenance = Dictionary(uniqueKeysWithValues: t.provenance.map { ($0.key, $0.value.text) })
        return try JSONSerialization.data(withJSONObject: ["columns": columns, "values": values, "provenance": provenance])
    }

    @Test(.needs(.python)) func allFourFormatsReadBackIdentically() throws {
        let dir = temporaryDirectory()
        let t = Self.table()
        for (format, name) in [(CatalogFormat.fits, "table.fits"), (.csv, "table.csv"), (.parquet, "table.parquet"),
                               (.votable, "table.vot")] {
            try format.write(t, to: dir + "/" + name)
        }
        try Self.expected(t).write(to: URL(fileURLWithPath: dir + "/expected.json"))
        // Our own FITS reader sees the provenance and the long value intact.
        let fits = try FITSFile.open(dir + "/table.fits")
        try fits.moveTo(hdu: "QAD_ANOMALIES")
        #expect(try fits.stringKey("QADVERS") == "0.1.0")
        #expect(try fits.stringKey("TUNIT2") == "deg" && fits.stringKey("TDISP2") == "F14.10")
        #expect(try fits.stringKey("TCOMM1") == "DESI TARGETID")
        #expect(try fits.readColumn("TARGETID", as: Int64.self) == t.columns[0].values.int64Values)
        let vot = try String(contentsOfFile: dir + "/table.vot", encoding: .utf8)
        #expect(vot.contains("datatype=\"long\"") && vot.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;") && vot.contains("<INFO name=\"QADVERS\""))
        let python = try requirePython()
        let (status, output) = try run(python, [packageRoot.appendingPathComponent("tools/export_interop.py").path, "check", dir])
        #expect(status == 0, "\(output)")
        #expect(output.contains("OK"), "\(output)")
    }

    @Test func badTablesAreRefusedNamingTheColumn() throws {
        var t = Self.table()
        t.columns[1].values = .float64([1, 2])
        #expect { try CatalogFormat.csv.write(t, to: temporaryPath("x.csv")) } throws: { "\($0)".contains("column RA") }
        var u = Self.table()
        u.provenance.append(CatalogProvenance("toolongkey", .int(1)))
        #expect { try CatalogFormat.fits.write(u, to: temporaryPath("x.fits")) } throws: { "\($0)".contains("toolongkey") }
    }
}

extension CatalogColumnValues {
    var int64Values: [Int64] { if case .int64(let v) = self { v.map { $0 ?? Int64.min } } else { [] } }
}
