/// The spectra of one batch as pointers to their cache rows (normalized flux
/// and its weight, `bins` values each). Pointers into a memory-mapped cache or
/// a `Matrix`, so a batch is gathered without copying whole rows first.
public struct SpectrumRows: @unchecked Sendable {
    // @unchecked: read-only pointers into storage that outlives the batch.
    public var flux: [UnsafePointer<Float>]
    public var weight: [UnsafePointer<Float>]

    public init(flux: [UnsafePointer<Float>], weight: [UnsafePointer<Float>]) {
        precondition(flux.count == weight.count)
        self.flux = flux
        self.weight = weight
    }

    public var count: Int { flux.count }

    public subscript(range: Range<Int>) -> SpectrumRows {
        SpectrumRows(flux: Array(flux[range]), weight: Array(weight[range]))
    }
}
