import Foundation
import QADTestSupport
import Testing
@testable import QADFormats

/// Bad input of every kind gives a ParquetError naming the file and, where
/// it applies, the row group, column and page; never a crash.
@Suite struct ParquetCorruptionTests {
    /// A small valid file: one flat and one list column, uncompressed, v1 pages.
    func validFile(compression: ParquetCompression = .none, listOnly: Bool = false) throws -> [UInt8] {
        let path = temporaryPath("valid.parquet")
        let list = ParquetColumn(name: "flux", values: .double((0..<40).map(Double.init)),
                                 offsets: [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40])
        let fields: [ParquetField] = listOnly ? [.list("flux", of: .double)] : [.column("id", .int64), .list("flux", of: .double)]
        let columns = listOnly ? [list] : [ParquetColumn(name: "id", values: .int64(Array(0..<10))), list]
        var options = ParquetWriteOptions(compression: compression, pageSizeLimit: 64)
        options.writePageChecksums = false
        try ParquetWriter.write(path: path, fields: fields, columns: columns, options: options)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func failure(_ bytes: [UInt8], name: String = "bad.parquet", columns: [String]? = nil) -> ParquetError? {
        do {
            _ = try ParquetFile(bytes: bytes, name: name).read(columns: columns)
            return nil
        } catch {
            return error
        }
    }

    @Test func wrongMagicAtEitherEnd() throws {
        var bytes = try validFile()
        bytes[0] = UInt8(ascii: "X")
        #expect(failure(bytes)?.description == "bad.parquet: not a Parquet file (no PAR1 magic at the start)")
        bytes = try validFile()
        bytes[bytes.count - 1] = 0
        #expect(failure(bytes)?.message.contains("no PAR1 magic at the end") == true)
        #expect(failure(Array("PAR1PAR1".utf8))?.message.contains("too short") == true)
    }

    @Test func truncatedFilesAndFooters() throws {
        let bytes = try validFile()
        // Cut anywhere: the end magic is gone.
        for cut in [1, 5, 9, bytes.count / 2, bytes.count - 13] {
            let e = failure(Array(bytes.prefix(bytes.count - cut)))
            #expect(e != nil && e!.file == "bad.parquet", "cut \(cut)")
        }
        // A footer length that points before the start of the file.
        var long = bytes
        long[long.count - 5] = 0x7f
        #expect(failure(long)?.message.contains("footer length") == true)
        // A footer cut short in the middle of its thrift.
        let start = ParquetSurgery.footerStart(bytes)
        let footerLength = bytes.count - 8 - start
        var short = Array(bytes[..<(start + footerLength / 2)])
        withUnsafeBytes(of: UInt32(footerLength / 2).littleEndian) { short += $0 }
        short += Array("PAR1".utf8)
        let e = try #require(failure(short))
        #expect(e.message.hasPrefix("footer: ") && e.message.contains("truncated"), "\(e)")
    }

    @Test func corruptThriftInTheFooter() throws {
        var bytes = try validFile()
        let start = ParquetSurgery.footerStart(bytes)
        bytes[start] = 0x1d  // field delta 1 with the unknown thrift type 13
        let e = try #require(failure(bytes))
        #expect(e.message.contains("footer: ") && e.message.contains("thrift"), "\(e)")
        // A list claiming more elements than there are bytes.
        var huge = try validFile()
        let schemaList = huge[start...].firstIndex(of: 0x19)!  // field 2 (schema), type list
        huge[schemaList + 1] = 0xfc  // size nibble 15: a varint count follows
        huge.insert(contentsOf: [0xff, 0xff, 0xff, 0x7f], at: schemaList + 2)
        var fixed = Array(huge[..<(huge.count - 8)])
        withUnsafeBytes(of: UInt32(fixed.count - start).littleEndian) { fixed += $0 }
        fixed += Array("PAR1".utf8)
        let e2 = try #require(failure(fixed))
        #expect(e2.message.contains("exceeds the"), "\(e2)")
    }

    @Test func corruptPageHeaderNamesRowGroupColumnAndPage() throws {
        var bytes = try validFile()
        let file = try ParquetFile(bytes: bytes, name: "x")
        let pages = try file.pageHeaders(rowGroup: 0, column: "flux")
        #expect(pages.count > 2)
        for i in pages[1].offset..<(pages[1].offset + 3) { bytes[i] = 0xff }
        let e = try #require(failure(bytes, columns: ["flux"]))
        #expect(e.rowGroup == 0 && e.column == "flux" && e.page == 1, "\(e)")
        #expect(e.description.hasPrefix("bad.parquet row group 0 column flux page 1: "))
    }

    @Test func aPageShorterThanItsHeaderClaims() throws {
        let bytes = try validFile()
        // The column chunk ends before the last page's body does.
        let cut = try ParquetSurgery.rewriteFooter(bytes) { meta in
            meta.rowGroups[0].columns[1].metadata!.totalCompressedSize -= 5
        }
        let e = try #require(failure(cut, columns: ["flux"]))
        #expect(e.message.contains("claims") && e.message.contains("left in the column chunk"), "\(e)")
        #expect(e.column == "flux" && e.page != nil)
        // A page header claiming more bytes than its page has.
        let file = try ParquetFile(bytes: bytes, name: "x")
        let page = try file.pageHeaders(rowGroup: 0, column: "id")[0]
        let longer = try ParquetSurgery.rewritePageHeader(bytes, at: page.offset, bodyOffset: page.bodyOffset) { h in
            h.compressedSize += 100_000
        }
        let e2 = try #require(failure(longer, columns: ["id"]))
        #expect(e2.column == "id" && e2.page == 0 && e2.message.contains("claims"), "\(e2)")
        // And one whose uncompressed size disagrees with its body.
        let wrongSize = try ParquetSurgery.rewritePageHeader(bytes, at: page.offset, bodyOffset: page.bodyOffset) { h in
            h.uncompressedSize += 8
        }
        #expect(failure(wrongSize, columns: ["id"])?.message.contains("uncompressed page holds") == true)
    }

    @Test func aListLongerThanItsDeclaredRowCount() throws {
        let bytes = try validFile(listOnly: true)
        let fewer = try ParquetSurgery.rewriteFooter(bytes) { meta in
            meta.rowGroups[0].numRows = 7
            meta.numRows = 7
        }
        let e = try #require(failure(fewer))
        #expect(e.message.contains("more rows than the 7 the row group declares"), "\(e)")
        #expect(e.rowGroup == 0 && e.column == "flux" && e.page != nil)
        // More values than the chunk declares.
        let moreValues = try ParquetSurgery.rewriteFooter(bytes) { meta in
            meta.rowGroups[0].columns[0].metadata!.numValues = 30
        }
        #expect(failure(moreValues)?.message.contains("only") == true)
    }

    @Test(.needs(.python)) func unsupportedCodecsTypesAndEncodings() throws {
        let bytes = try validFile()
        let brotli = try ParquetSurgery.rewriteFooter(bytes) { $0.rowGroups[0].columns[0].metadata!.codec = .brotli }
        let e = try #require(failure(brotli))
        #expect(e.message.contains("unsupported compression codec BROTLI") && e.column == "id" && e.page == 0, "\(e)")
        let retyped = try ParquetSurgery.rewriteFooter(bytes) { $0.rowGroups[0].columns[0].metadata!.type = .float }
        #expect(failure(retyped)?.message.contains("has type FLOAT but the schema says INT64") == true)

        let dir = try #require(try PyarrowFixtures.directory.get())
        let cases = [("unsupported_brotli", "unsupported compression codec BROTLI"),
                     ("unsupported_lz4", "unsupported compression codec LZ4_RAW"),
                     ("unsupported_int96", "unsupported physical type INT96"),
                     ("unsupported_delta", "unsupported encoding DELTA_BINARY_PACKED"),
                     ("unsupported_nested", "nested lists")]
        for (name, text) in cases {
            let path = "\(dir)/\(name).parquet"
            do {
                _ = try ParquetFile(path: path).read()
                Issue.record("\(name) was read")
            } catch {
                #expect(error.description.hasPrefix(path) && error.message.contains(text), "\(error)")
                #expect(error.column != nil, "\(error)")
            }
        }
    }

    @Test func chunksOutsideTheFileAndMismatchedSchemas() throws {
        let bytes = try validFile()
        let outside = try ParquetSurgery.rewriteFooter(bytes) { $0.rowGroups[0].columns[1].metadata!.dataPageOffset = 1 << 40 }
        #expect(failure(outside)?.message.contains("outside the file's data") == true)
        let renamed = try ParquetSurgery.rewriteFooter(bytes) { $0.rowGroups[0].columns[0].metadata!.pathInSchema = ["other"] }
        #expect(failure(renamed)?.message.contains("is for other") == true)
        let missing = try ParquetSurgery.rewriteFooter(bytes) { $0.rowGroups[0].columns.removeLast() }
        #expect(failure(missing)?.message.contains("1 column chunks for the schema's 2 columns") == true)
        let rows = try ParquetSurgery.rewriteFooter(bytes) { $0.numRows = 11 }
        #expect(failure(rows)?.message.contains("footer declares 11") == true)
        let children = try ParquetSurgery.rewriteFooter(bytes) { $0.schema[0].numChildren = 9 }
        #expect(failure(children)?.message.contains("children") == true)
    }

    @Test func aFileThatIsNotThereOrNotAFile() throws {
        #expect(throws: ParquetError.self) { try ParquetFile(path: "/nonexistent/x.parquet") }
        do { _ = try ParquetFile(path: temporaryDirectory()) } catch {
            #expect(error.message.contains("not a regular file"))
        }
        let empty = temporaryPath("empty.parquet")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        do { _ = try ParquetFile(path: empty) } catch { #expect(error.message.contains("empty file")) }
    }
}
