/// Limits that keep a corrupt or hostile file from asking for unbounded
/// memory. The defaults are far above what real writers produce; raise them
/// for exceptional files.
public struct ParquetReadOptions: Sendable {
    /// Check page CRC32s where the writer stored them.
    public var verifyChecksums = true
    /// Level entries (values, nulls included) in one column chunk.
    public var maxValuesPerColumnChunk = 1 << 28
    /// Bytes of one page, compressed or not.
    public var maxPageBytes = 1 << 30
    /// Bytes of BYTE_ARRAY values one column may expand to.
    public var maxByteArrayBytes = 1 << 31
    /// Drop the mapped pages of decoded column chunks from memory.
    public var releaseDecodedChunks = true

    public init() {}
}
