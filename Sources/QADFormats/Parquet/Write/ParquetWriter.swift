import Foundation

/// Writes a Parquet file row group by row group, so memory holds one row
/// group at a time. The file is written under a temporary name and renamed
/// into place by `close()`, so a crash never leaves a half-written file
/// under the final name.
///
///     let writer = try ParquetWriter(path: "catalog.parquet", fields: [
///         .column("TARGETID", .int64, nullable: false), .column("Z", .double),
///         .list("LATENT", of: .float)])
///     try writer.write(rowGroup: [targetIDs, z, latent])
///     try writer.close()
public final class ParquetWriter {
    public let path: String
    public let fields: [ParquetField]
    public let options: ParquetWriteOptions
    private let temporaryPath: String
    private var handle: FileHandle?
    private var offset = 0
    private var rowGroups: [ParquetRowGroup] = []
    private var rows: Int64 = 0

    public init(path: String, fields: [ParquetField], options: ParquetWriteOptions = ParquetWriteOptions()) throws(ParquetError) {
        self.path = path
        self.fields = fields
        self.options = options
        guard !fields.isEmpty else { throw ParquetError(file: path, message: "a Parquet file needs at least one column") }
        let names = fields.map(\.name)
        guard Set(names).count == names.count else { throw ParquetError(file: path, message: "duplicate column names in \(names)") }
        guard options.pageSizeLimit > 0, options.rowGroupRows > 0 else {
            throw ParquetError(file: path, message: "page size and row group limits must be positive")
        }
        temporaryPath = path + ".partial"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw ParquetError(file: path, message: "cannot create \(temporaryPath)")
        }
        handle = h
        try append(ParquetFile.magic)
    }

    deinit {
        if handle != nil {
            try? handle?.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }

    private func append(_ bytes: [UInt8]) throws(ParquetError) {
        guard let handle else { throw ParquetError(file: path, message: "the writer is closed") }
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw ParquetError(file: path, message: "write failed: \(error)")
        }
        offset += bytes.count
    }

    /// Writes one row group; the columns come in field order, with equal row counts.
    public func write(rowGroup columns: [ParquetColumn]) throws(ParquetError) {
        guard columns.count == fields.count else {
            throw ParquetError(file: path, message: "\(columns.count) columns given for \(fields.count) fields")
        }
        let rowCount = columns[0].rowCount
        for (c, f) in zip(columns, fields) where c.rowCount != rowCount {
            throw ParquetError(file: path, column: f.name, message: "\(c.rowCount) rows where the first column has \(rowCount)")
        }
        guard rowCount > 0 else { return }
        let groupStart = offset
        var chunks: [ParquetColumnChunk] = []
        var uncompressed: Int64 = 0
        for (column, field) in zip(columns, fields) {
            let chunk: ColumnChunkWriter.Chunk
            do {
                chunk = try ColumnChunkWriter(field: field, options: options).encode(column, fileOffset: offset)
            } catch {
                throw error.asParquetError(file: path, rowGroup: rowGroups.count, column: field.name)
            }
            let start = offset
            try append(chunk.bytes)
            uncompressed += chunk.metadata.totalUncompressedSize
            chunks.append(ParquetColumnChunk(filePath: nil, fileOffset: Int64(start), metadata: chunk.metadata))
        }
        rowGroups.append(ParquetRowGroup(columns: chunks, totalByteSize: uncompressed, numRows: Int64(rowCount),
                                         fileOffset: Int64(groupStart), totalCompressedSize: Int64(offset - groupStart),
                                         ordinal: Int16(clamping: rowGroups.count)))
        rows += Int64(rowCount)
    }

    /// Writes whole columns, cut into row groups of `options.rowGroupRows` rows.
    public func write(_ columns: [ParquetColumn]) throws(ParquetError) {
        guard columns.count == fields.count, let total = columns.first?.rowCount else {
            throw ParquetError(file: path, message: "\(columns.count) columns given for \(fields.count) fields")
        }
        // Check shapes before cutting the columns into row groups.
        for (c, f) in zip(columns, fields) {
            if let problem = c.shapeProblem(for: f) { throw ParquetError(file: path, column: f.name, message: problem) }
            guard c.rowCount == total else {
                throw ParquetError(file: path, column: f.name, message: "\(c.rowCount) rows where the first column has \(total)")
            }
        }
        var start = 0
        while start < total {
            let end = min(start + options.rowGroupRows, total)
            try write(rowGroup: columns.map { $0.rows(start..<end) })
            start = end
        }
    }

    /// Writes the footer and moves the file into place.
    public func close() throws(ParquetError) {
        guard handle != nil else { return }
        var schema = [ParquetSchemaElement(name: "schema", numChildren: Int32(fields.count))]
        for f in fields { schema += f.schemaElements }
        let metadata = ParquetFileMetadata(
            version: 2, schema: schema, numRows: rows, rowGroups: rowGroups,
            keyValueMetadata: options.keyValueMetadata.map { (key: $0.key, value: Optional($0.value)) },
            createdBy: options.createdBy, columnOrderCount: options.writeStatistics ? fields.count : 0)
        let footer = metadata.encode()
        try append(footer)
        try append(withUnsafeBytes(of: UInt32(footer.count).littleEndian) { Array($0) })
        try append(ParquetFile.magic)
        do {
            try handle?.synchronize()
            try handle?.close()
            handle = nil
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporaryPath, toPath: path)
        } catch {
            throw ParquetError(file: path, message: "cannot finish the file: \(error)")
        }
    }

    /// Writes a whole file in one call.
    public static func write(path: String, fields: [ParquetField], columns: [ParquetColumn],
                             options: ParquetWriteOptions = ParquetWriteOptions()) throws(ParquetError) {
        let writer = try ParquetWriter(path: path, fields: fields, options: options)
        try writer.write(columns)
        try writer.close()
    }
}

extension ParquetColumn {
    /// The rows in `range` as a column of their own.
    public func rows(_ range: Range<Int>) -> ParquetColumn {
        let validity = self.validity.map { Array($0[range]) }
        guard let offsets else {
            return ParquetColumn(name: name, values: values.slots(range), validity: validity)
        }
        let slots = offsets[range.lowerBound]..<offsets[range.upperBound]
        return ParquetColumn(name: name, values: values.slots(slots), validity: validity,
                             offsets: offsets[range.lowerBound...range.upperBound].map { $0 - slots.lowerBound },
                             elementValidity: elementValidity.map { Array($0[slots]) })
    }
}

extension ParquetValues {
    /// The value slots in `range`.
    func slots(_ range: Range<Int>) -> ParquetValues {
        switch self {
        case .boolean(let v): .boolean(Array(v[range]))
        case .int32(let v): .int32(Array(v[range]))
        case .int64(let v): .int64(Array(v[range]))
        case .float(let v): .float(Array(v[range]))
        case .double(let v): .double(Array(v[range]))
        case .bytes(let v, let isText):
            .bytes(ParquetByteArrays(bytes: Array(v.bytes[v.offsets[range.lowerBound]..<v.offsets[range.upperBound]]),
                                     offsets: v.offsets[range.lowerBound...range.upperBound].map { $0 - v.offsets[range.lowerBound] }),
                   isText: isText)
        }
    }
}

extension Error {
    fileprivate func asParquetError(file: String, rowGroup: Int, column: String) -> ParquetError {
        ((self as? ParquetError) ?? ParquetError(message: "\(self)")).located(file: file, rowGroup: rowGroup, column: column)
    }
}
