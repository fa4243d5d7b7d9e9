import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// Files qad writes are read back value for value by pyarrow (and DuckDB /
/// polars where installed) and by qad itself; statistics, page splits,
/// row groups and checksums are what they should be.
@Suite struct ParquetWriterTests {
    struct Configuration: CustomTestStringConvertible, Sendable {
        var compression: ParquetCompression
        var version: ParquetDataPageVersion
        var testDescription: String { "\(compression) \(version)" }
    }

    static let configurations: [Configuration] = [
        .init(compression: .none, version: .v1), .init(compression: .snappy, version: .v1),
        .init(compression: .zstd(), version: .v1), .init(compression: .gzip(), version: .v1),
        .init(compression: .none, version: .v2), .init(compression: .snappy, version: .v2),
        .init(compression: .zstd(level: 3), version: .v2), .init(compression: .gzip(), version: .v2),
    ]

    func writeSample(_ path: String, _ configuration: Configuration, rows: Int = 700, seed: UInt64 = 11,
                     pageSize: Int = 2000, rowGroupRows: Int = 256) throws -> [ParquetColumn] {
        var options = ParquetWriteOptions(compression: configuration.compression,
                                          dataPageVersion: configuration.version,
                                          pageSizeLimit: pageSize, rowGroupRows: rowGroupRows)
        options.keyValueMetadata = [("qad.provenance", "ParquetWriterTests")]
        let columns = ParquetSamples.columns(rows: rows, seed: seed, nulls: true)
        try ParquetWriter.write(path: path, fields: ParquetSamples.fields(), columns: columns, options: options)
        return columns
    }

    @Test(.needs(.python), arguments: configurations)
    func pyarrowReadsWhatQadWrites(_ configuration: Configuration) throws {
        let python = try requirePython()
        let dir = temporaryDirectory()
        let path = dir + "/qad.parquet"
        let columns = try writeSample(path, configuration)
        try ParquetExpectation.write(ParquetTable(rowCount: columns[0].rowCount, columns: columns), rowGroups: 3,
                                     to: dir + "/qad.json")
        let result = try run(python, [PyarrowFixtures.script, "check", path, dir + "/qad.json"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(arguments: configurations)
    func qadReadsBackWhatItWrites(_ configuration: Configuration) throws {
        let path = temporaryPath("roundtrip.parquet")
        let columns = try writeSample(path, configuration)
        let file = try ParquetFile(path: path)
        #expect(file.rowGroupCount == 3)
        #expect(file.keyValueMetadata.first { $0.key == "qad.provenance" }?.value == "ParquetWriterTests")
        let table = try file.read()
        #expect(table.columns.map(\.name) == columns.map(\.name))
        for (read, written) in zip(table.columns, columns) {
            #expect(ParquetCanonical.rows(read) == ParquetCanonical.rows(written), "column \(written.name)")
            #expect(ParquetCanonical.typeName(read) == ParquetCanonical.typeName(written))
        }
    }

    @Test func pagesAreSplitAtTheSizeLimitAndRowBoundaries() throws {
        let path = temporaryPath("pages.parquet")
        _ = try writeSample(path, Configuration(compression: .snappy, version: .v2), rows: 700, pageSize: 1500,
                            rowGroupRows: 700)
        let file = try ParquetFile(path: path)
        for name in ["z", "flux", "lines"] {
            let pages = try file.pageHeaders(rowGroup: 0, column: name)
            #expect(pages.count > 3, "\(name): \(pages.count) pages")
            #expect(pages.allSatisfy { $0.type == .dataPageV2 && $0.hasChecksum })
            #expect(pages.reduce(0) { $0 + $1.numValues } == Int(try file.columnChunk(name, rowGroup: 0).numValues))
        }
        // A page stops at the first row that takes it past the limit: for the
        // fixed-width column, no page holds much more than the limit.
        for p in try file.pageHeaders(rowGroup: 0, column: "z") { #expect(p.uncompressedSize < 1500 + 64) }
    }

    @Test func statisticsHoldMinMaxAndNullCount() throws {
        let path = temporaryPath("stats.parquet")
        let fields: [ParquetField] = [.column("x", .double), .column("s", .string), .list("l", of: .int32)]
        let columns = [
            ParquetColumn(name: "x", values: .double([3, .nan, -2.5, 0, 7]), validity: [true, true, true, false, true]),
            ParquetColumn(name: "s", values: .strings(["b", "", "é", "a", "zz"]), validity: [true, true, true, true, false]),
            ParquetColumn(name: "l", values: .int32([5, -9, 4, 0]), validity: [true, false, true, true, true],
                          offsets: [0, 2, 2, 2, 4, 4], elementValidity: [true, true, false, true]),
        ]
        try ParquetWriter.write(path: path, fields: fields, columns: columns)
        let file = try ParquetFile(path: path)
        let x = try #require(try file.columnChunk("x", rowGroup: 0).statistics)
        #expect(x.nullCount == 1)
        #expect(x.minValue == withUnsafeBytes(of: (-2.5).bitPattern.littleEndian) { Array($0) })
        #expect(x.maxValue == withUnsafeBytes(of: (7.0).bitPattern.littleEndian) { Array($0) })
        let s = try #require(try file.columnChunk("s", rowGroup: 0).statistics)
        #expect(s.nullCount == 1 && s.minValue == [] && s.maxValue == Array("é".utf8))
        // Level entries without a value: the null list, two empty lists and a null element.
        let l = try #require(try file.columnChunk("l", rowGroup: 0).statistics)
        #expect(l.nullCount == 4)
        #expect(l.minValue.flatMap(ParquetStatisticsValue.int32) == -9 && l.maxValue.flatMap(ParquetStatisticsValue.int32) == 5)
    }

    @Test func requiredColumnsRefuseNullsAndBadShapes() throws {
        let path = temporaryPath("required.parquet")
        let fields: [ParquetField] = [.column("id", .int64, nullable: false), .list("v", of: .float, nullable: false, elementNullable: false)]
        let good = [ParquetColumn(name: "id", values: .int64([1, 2])),
                    ParquetColumn(name: "v", values: .float([1, 2, 3]), offsets: [0, 1, 3])]
        try ParquetWriter.write(path: path, fields: fields, columns: good)
        let back = try ParquetFile(path: path).read()
        #expect(back["v"]?.floats == [1, 2, 3] && back["v"]?.offsets == [0, 1, 3] && back["id"]?.int64s == [1, 2])

        func refuses(_ columns: [ParquetColumn], _ text: String) {
            #expect(throws: ParquetError.self) { try ParquetWriter.write(path: path, fields: fields, columns: columns) }
            do { try ParquetWriter.write(path: path, fields: fields, columns: columns) } catch {
                #expect(error.description.contains(text), "\(error)")
            }
        }
        refuses([ParquetColumn(name: "id", values: .int64([1, 2]), validity: [true, false]), good[1]], "not nullable")
        refuses([good[0], ParquetColumn(name: "v", values: .float([1, 2, 3]), offsets: [0, 1, 3], elementValidity: [true, false, true])],
                "non-nullable elements")
        refuses([good[0], ParquetColumn(name: "v", values: .float([1, 2, 3]), offsets: [0, 3, 1])], "offsets")
        refuses([ParquetColumn(name: "id", values: .double([1, 2])), good[1]], "type")
        refuses([good[0], ParquetColumn(name: "v", values: .float([1]), offsets: [0, 1])], "rows")
    }

    @Test func theFileAppearsOnlyWhenClosed() throws {
        let path = temporaryPath("atomic.parquet")
        do {
            let writer = try ParquetWriter(path: path, fields: [.column("x", .int32)])
            try writer.write(rowGroup: [ParquetColumn(name: "x", values: .int32([1, 2, 3]))])
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        // Dropped without close: nothing is left behind.
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }

    @Test func checksumsCatchCorruptPageData() throws {
        let path = temporaryPath("crc.parquet")
        _ = try writeSample(path, Configuration(compression: .none, version: .v1), rows: 50, rowGroupRows: 50)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let file = try ParquetFile(path: path)
        let page = try #require(try file.pageHeaders(rowGroup: 0, column: "z").first)
        bytes[page.bodyOffset + page.compressedSize - 3] ^= 0x40  // a value byte: only the CRC can tell
        let corrupt = try ParquetFile(bytes: bytes, name: "crc.parquet")
        #expect {
            try corrupt.read(columns: ["z"])
        } throws: { error in
            let e = error as! ParquetError
            return e.description.contains("checksum mismatch") && e.rowGroup == 0 && e.column == "z" && e.page == 0
        }
        var noVerify = ParquetReadOptions()
        noVerify.verifyChecksums = false
        #expect(throws: Never.self) { try ParquetFile(bytes: bytes, name: "crc.parquet", options: noVerify).read(columns: ["z"]) }
    }
}

@Suite struct ParquetColumnBuilderTests {
    @Test func optionalsAndNestedArraysBecomeNullableColumns() throws {
        let path = temporaryPath("builders.parquet")
        let columns: [ParquetColumn] = [
            .nullable("BAL_PROB", [0.5, nil, 1]), .nullable("TARGETID", [Int64(1) << 60, 7, nil]),
            .nullable("SPECTYPE", ["QSO", nil, "STAR"]), .nullable("GOOD", [true, false, nil]),
            .list("LATENT", [[Float(1), 2], nil, []]) { .float($0) },
        ]
        let fields: [ParquetField] = [.column("BAL_PROB", .double), .column("TARGETID", .int64), .column("SPECTYPE", .string),
                                      .column("GOOD", .boolean), .list("LATENT", of: .float)]
        try ParquetWriter.write(path: path, fields: fields, columns: columns)
        let t = try ParquetFile(path: path).read()
        #expect(ParquetCanonical.rows(t["BAL_PROB"]!) == ["d:3fe0000000000000", "null", "d:3ff0000000000000"])
        #expect(ParquetCanonical.rows(t["TARGETID"]!) == ["1152921504606846976", "7", "null"])
        #expect(ParquetCanonical.rows(t["SPECTYPE"]!) == ["s:QSO", "null", "s:STAR"])
        #expect(ParquetCanonical.rows(t["GOOD"]!) == ["true", "false", "null"])
        #expect(ParquetCanonical.rows(t["LATENT"]!) == ["[f:3f800000,f:40000000]", "null", "[]"])
    }
}
