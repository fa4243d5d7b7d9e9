import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// qad reads, value for value, what pyarrow writes: its defaults, data page
/// v2, every codec, many row groups and pages, nulls at row and element
/// level, required columns, structs, and the dictionary-to-PLAIN fallback.
@Suite struct ParquetPyarrowReadTests {
    static let fixtures = ["defaults", "nulls", "v2", "zstd", "gzip", "uncompressed", "row_groups", "small_pages_v1",
                           "checksums", "required", "struct", "dict_fallback", "empty"]

    @Test(.needs(.python), arguments: fixtures)
    func readsFixtureValueForValue(_ name: String) throws {
        let dir = try #require(try PyarrowFixtures.directory.get())
        let expected = try ParquetExpectation(json: "\(dir)/\(name).json")
        let file = try ParquetFile(path: "\(dir)/\(name).parquet")
        #expect(file.rowCount == expected.numRows)
        #expect(file.rowGroupCount == expected.numRowGroups)
        let table = try file.read()
        #expect(table.rowCount == expected.numRows)
        #expect(Set(table.columns.map(\.name)) == Set(expected.rows.keys))
        for column in table.columns {
            #expect(ParquetCanonical.typeName(column) == expected.types[column.name], "column \(column.name)")
            let rows = ParquetCanonical.rows(column)
            let want = expected.rows[column.name] ?? []
            #expect(rows.count == want.count, "column \(column.name)")
            if let bad = zip(rows, want).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record("\(name) column \(column.name) row \(bad.offset): qad \(bad.element.0) vs pyarrow \(bad.element.1)")
            }
        }
    }

    @Test(.needs(.python)) func rowGroupsReadOneAtATimeMatchTheWholeFile() throws {
        let dir = try #require(try PyarrowFixtures.directory.get())
        let file = try ParquetFile(path: "\(dir)/row_groups.parquet")
        #expect(file.rowGroupCount == 11)
        let whole = try file.read(columns: ["flux", "spectype"])
        var flux: [String] = [], spectype: [String] = []
        for g in 0..<file.rowGroupCount {
            let part = try file.readRowGroup(g, columns: ["flux", "spectype"])
            #expect(part.rowCount == file.rowCount(ofRowGroup: g))
            flux += ParquetCanonical.rows(part["flux"]!)
            spectype += ParquetCanonical.rows(part["spectype"]!)
        }
        #expect(flux == ParquetCanonical.rows(whole["flux"]!))
        #expect(spectype == ParquetCanonical.rows(whole["spectype"]!))
    }

    @Test(.needs(.python)) func projectionDecodesOnlyTheColumnsAskedFor() throws {
        let dir = try #require(try PyarrowFixtures.directory.get())
        let file = try ParquetFile(path: "\(dir)/nulls.parquet")
        let table = try file.read(columns: ["z", "wavelength"])
        #expect(table.columns.map(\.name) == ["z", "wavelength"])
        // A column that does not exist is an error naming the file and the column.
        #expect {
            try file.read(columns: ["nope"])
        } throws: { error in
            "\(error)".contains("nulls.parquet") && "\(error)".contains("no column 'nope'")
        }
    }

    @Test(.needs(.python)) func dictionaryFallbackToPlainIsReadAcrossTheSwitch() throws {
        let dir = try #require(try PyarrowFixtures.directory.get())
        let file = try ParquetFile(path: "\(dir)/dict_fallback.parquet")
        // The chunk must really hold both kinds of data page.
        for column in ["x", "name"] {
            let encodings = Set(try file.pageHeaders(rowGroup: 0, column: column).filter { $0.type != .dictionaryPage }
                .map(\.encoding))
            #expect(encodings.contains(.rleDictionary) && encodings.contains(.plain), "\(column): \(encodings)")
        }
    }

    @Test(.needs(.python)) func statisticsWrittenByPyarrowAreExposed() throws {
        let dir = try #require(try PyarrowFixtures.directory.get())
        let file = try ParquetFile(path: "\(dir)/nulls.parquet")
        let table = try file.read(columns: ["fiber"])
        let fiber = table["fiber"]!
        let present = zip(fiber.int32s!, fiber.validity!).filter(\.1).map(\.0)
        let stats = try #require(try file.columnChunk("fiber", rowGroup: 0).statistics)
        #expect(stats.nullCount == Int64(fiber.validity!.filter { !$0 }.count))
        #expect(stats.minValue.map { ParquetStatisticsValue.int32($0) } == present.min())
        #expect(stats.maxValue.map { ParquetStatisticsValue.int32($0) } == present.max())
    }
}

enum ParquetStatisticsValue {
    static func int32(_ bytes: [UInt8]) -> Int32? {
        guard bytes.count == 4 else { return nil }
        return bytes.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
    }
}
