/// A Parquet file opened for reading: the footer is parsed and checked on
/// open; columns are decoded on demand, only the ones asked for, from a
/// memory mapping of the file.
///
///     let file = try ParquetFile(path: "qso_data_TILE80693.parquet")
///     for g in 0..<file.rowGroupCount {
///         let table = try file.readRowGroup(g, columns: ["target_id", "flux"])
///         let flux = table["flux"]!          // list<double>: doubles + offsets
///     }
public final class ParquetFile: @unchecked Sendable {
    /// Path (or the name given to in-memory bytes), used in every error.
    public let path: String
    public let metadata: ParquetFileMetadata
    public let schema: ParquetSchema
    public let options: ParquetReadOptions
    let bytes: FileBytes
    /// First byte of the footer: column chunks must end before it.
    let dataEnd: Int

    static let magic: [UInt8] = Array("PAR1".utf8)

    public convenience init(path: String, options: ParquetReadOptions = ParquetReadOptions()) throws(ParquetError) {
        try self.init(bytes: FileBytes(mapping: path), name: path, options: options)
    }

    /// Reads a file held in memory (the bytes are copied).
    public convenience init(bytes: some Collection<UInt8>, name: String,
                            options: ParquetReadOptions = ParquetReadOptions()) throws(ParquetError) {
        try self.init(bytes: FileBytes(copying: bytes), name: name, options: options)
    }

    private init(bytes: FileBytes, name: String, options: ParquetReadOptions) throws(ParquetError) {
        self.path = name
        self.bytes = bytes
        self.options = options
        let all = bytes.bytes
        func fail(_ message: String) -> ParquetError { ParquetError(file: name, message: message) }
        guard all.count >= 12 else { throw fail("a file of \(all.count) bytes is too short to be Parquet") }
        guard all.prefix(4).elementsEqual(Self.magic) else { throw fail("not a Parquet file (no PAR1 magic at the start)") }
        let tail = all.suffix(4)
        if tail.elementsEqual(Array("PARE".utf8)) { throw fail("encrypted Parquet footers are not supported") }
        guard tail.elementsEqual(Self.magic) else {
            throw fail("no PAR1 magic at the end: the file is truncated or not Parquet")
        }
        let footerLength = Int(UInt32(littleEndian: all.loadUnaligned(fromByteOffset: all.count - 8, as: UInt32.self)))
        guard footerLength > 0, footerLength <= all.count - 12 else {
            throw fail("the footer length \(footerLength) does not fit in the file of \(all.count) bytes (truncated footer?)")
        }
        dataEnd = all.count - 8 - footerLength
        let footer = UnsafeRawBufferPointer(rebasing: all[dataEnd..<(all.count - 8)])
        var reader = ThriftCompactReader(footer)
        do {
            metadata = try ParquetFileMetadata.decode(&reader)
            schema = try ParquetSchema(elements: metadata.schema)
        } catch {
            throw error.asParquetError(file: name).prefixed("footer: ")
        }
        try validateRowGroups()
    }

    /// Checks what every row group must agree on before any page is read.
    private func validateRowGroups() throws(ParquetError) {
        var total: Int64 = 0
        for (g, group) in metadata.rowGroups.enumerated() {
            func fail(_ column: String?, _ message: String) -> ParquetError {
                ParquetError(file: path, rowGroup: g, column: column, message: message)
            }
            guard group.numRows >= 0 else { throw fail(nil, "negative row count \(group.numRows)") }
            let (sum, overflow) = total.addingReportingOverflow(group.numRows)
            guard !overflow else { throw fail(nil, "the row counts overflow") }
            total = sum
            guard group.columns.count == schema.leaves.count else {
                throw fail(nil, "\(group.columns.count) column chunks for the schema's \(schema.leaves.count) columns")
            }
            for (chunk, leaf) in zip(group.columns, schema.leaves) {
                guard chunk.filePath == nil else {
                    throw fail(leaf.name, "column data in another file (\(chunk.filePath!)) is not supported")
                }
                guard let m = chunk.metadata else {
                    throw fail(leaf.name, "the column chunk has no metadata (encrypted columns are not supported)")
                }
                guard m.pathInSchema == leaf.path else {
                    throw fail(leaf.name, "the column chunk is for \(m.pathInSchema.joined(separator: ".")), not \(leaf.path.joined(separator: "."))")
                }
                if !leaf.isList {
                    guard m.numValues == group.numRows else {
                        throw fail(leaf.name, "the column chunk holds \(m.numValues) values for \(group.numRows) rows")
                    }
                } else {
                    guard m.numValues >= group.numRows else {
                        throw fail(leaf.name, "the column chunk holds \(m.numValues) level entries for \(group.numRows) rows")
                    }
                }
            }
        }
        guard total == metadata.numRows else {
            throw ParquetError(file: path, message: "the row groups hold \(total) rows but the footer declares \(metadata.numRows)")
        }
    }

    public var rowCount: Int { Int(metadata.numRows) }
    public var rowGroupCount: Int { metadata.rowGroups.count }
    public var fileSize: Int { bytes.bytes.count }
    public var keyValueMetadata: [(key: String, value: String?)] { metadata.keyValueMetadata }

    /// Rows of a row group; `index` must be below `rowGroupCount`.
    public func rowCount(ofRowGroup index: Int) -> Int { Int(metadata.rowGroups[index].numRows) }

    /// Chunk metadata of a column in a row group (statistics, codec, sizes).
    public func columnChunk(_ name: String, rowGroup: Int) throws(ParquetError) -> ParquetColumnMetadata {
        guard (0..<rowGroupCount).contains(rowGroup) else {
            throw ParquetError(file: path, message: "no row group \(rowGroup) (the file has \(rowGroupCount))")
        }
        let leaves = try locate { () throws(ParquetError) in try schema.leaves(named: [name]) }
        return metadata.rowGroups[rowGroup].columns[leaves[0].index].metadata!
    }

    /// Reads the given columns (top-level field names or leaf names; all when
    /// nil) of the given row groups (all when nil) into one table.
    public func read(columns: [String]? = nil, rowGroups: [Int]? = nil) throws(ParquetError) -> ParquetTable {
        let leaves = try locate { () throws(ParquetError) in try schema.leaves(named: columns) }
        let groups = rowGroups ?? Array(0..<rowGroupCount)
        for g in groups where !(0..<rowGroupCount).contains(g) {
            throw ParquetError(file: path, message: "no row group \(g) (the file has \(rowGroupCount))")
        }
        let rows = groups.reduce(0) { $0 + rowCount(ofRowGroup: $1) }
        var out: [ParquetColumn] = []
        out.reserveCapacity(leaves.count)
        for leaf in leaves {
            let chunks = groups.map { g in
                ChunkToDecode(rowGroup: g, metadata: metadata.rowGroups[g].columns[leaf.index].metadata!,
                              rows: rowCount(ofRowGroup: g))
            }
            let decoder = ColumnChunkDecoder(file: bytes, path: path, leaf: leaf, options: options, dataEnd: dataEnd)
            let rowGroup = groups.count == 1 ? groups[0] : nil
            out.append(try locate(rowGroup: rowGroup, column: leaf.name) { try decoder.decode(chunks) })
        }
        return ParquetTable(rowCount: rows, columns: out)
    }

    public func readRowGroup(_ index: Int, columns: [String]? = nil) throws(ParquetError) -> ParquetTable {
        try read(columns: columns, rowGroups: [index])
    }

    private func locate<T>(rowGroup: Int? = nil, column: String? = nil, _ body: () throws -> T) throws(ParquetError) -> T {
        try locating(file: path, rowGroup: rowGroup, column: column, body)
    }
}

extension Error {
    fileprivate func asParquetError(file: String) -> ParquetError {
        (self as? ParquetError)?.located(file: file) ?? ParquetError(file: file, message: "\(self)")
    }
}

extension ParquetError {
    fileprivate func prefixed(_ text: String) -> ParquetError {
        var e = self
        e.message = text + e.message
        return e
    }
}
