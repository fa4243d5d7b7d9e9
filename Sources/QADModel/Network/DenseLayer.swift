/// A fully connected layer y = x·Wᵀ + b whose weights live in a shared flat
/// parameter buffer, in PyTorch's `nn.Linear` layout: W is [outputs, inputs]
/// row-major, then b [outputs]. Every operation takes an output range and an
/// input range, so a batch that covers only part of the rest grid multiplies
/// only that part: the skipped inputs are exactly zero, the skipped outputs
/// carry no loss, so the result is the same as the full product.
public struct DenseLayer: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    /// Offset of W in the parameter buffer; b follows it.
    public let offset: Int

    public var weightCount: Int { inputs * outputs }
    public var parameterCount: Int { weightCount + outputs }
    public var biasOffset: Int { offset + weightCount }

    public func weight(_ buffer: FloatBuffer) -> MatrixView {
        buffer.view(offset: offset, rows: outputs, columns: inputs)
    }

    public func bias(_ buffer: FloatBuffer) -> UnsafeMutablePointer<Float> { buffer.pointer + biasOffset }

    /// y (+)= x·W[out, in]ᵀ, x holding the columns `in` of the input.
    @inline(__always)
    public func multiply(_ x: MatrixView, inputRange: Range<Int>? = nil, outputRange: Range<Int>? = nil,
                         parameters: FloatBuffer, into y: MatrixView, accumulate: Bool = false) {
        let w = weight(parameters).rows(outputRange ?? 0..<outputs).columns(inputRange ?? 0..<inputs)
        BLAS.gemm(x, w, transposeB: true, into: y, beta: accumulate ? 1 : 0)
    }

    /// y += b[out] on every row.
    @inline(__always)
    public func addBias(parameters: FloatBuffer, outputRange: Range<Int>? = nil, to y: MatrixView) {
        let range = outputRange ?? 0..<outputs
        let b = bias(parameters) + range.lowerBound
        for r in 0..<y.rows {
            let p = y.rowPointer(r)
            for j in 0..<range.count { p[j] += b[j] }
        }
    }

    /// y = x·Wᵀ + b over the full ranges (the common case).
    public func forward(_ x: MatrixView, parameters: FloatBuffer, into y: MatrixView) {
        multiply(x, parameters: parameters, into: y)
        addBias(parameters: parameters, to: y)
    }

    /// dW[out, in] = δᵀ·x (overwrites that block), given δ = ∂L/∂y[:, out].
    @inline(__always)
    public func weightGradient(delta: MatrixView, input x: MatrixView, inputRange: Range<Int>? = nil,
                               outputRange: Range<Int>? = nil, gradients: FloatBuffer) {
        let dw = weight(gradients).rows(outputRange ?? 0..<outputs).columns(inputRange ?? 0..<inputs)
        BLAS.gemm(delta, transposeA: true, x, into: dw)
    }

    /// db[out] = column sums of δ (overwrites), through BLAS with a ones vector.
    @inline(__always)
    public func biasGradient(delta: MatrixView, outputRange: Range<Int>? = nil, gradients: FloatBuffer,
                             ones: UnsafePointer<Float>) {
        let range = outputRange ?? 0..<outputs
        BLAS.gemvTransposed(delta, ones, into: bias(gradients) + range.lowerBound)
    }

    /// dx[:, in] = δ·W[out, in].
    @inline(__always)
    public func inputGradient(delta: MatrixView, inputRange: Range<Int>? = nil, outputRange: Range<Int>? = nil,
                              parameters: FloatBuffer, into dx: MatrixView) {
        let w = weight(parameters).rows(outputRange ?? 0..<outputs).columns(inputRange ?? 0..<inputs)
        BLAS.gemm(delta, w, into: dx)
    }

    /// Clears this layer's slice of a gradient buffer (before a partial write).
    public func zeroGradient(_ gradients: FloatBuffer) {
        (gradients.pointer + offset).update(repeating: 0, count: parameterCount)
    }

    /// Clears the weight gradient outside the input columns `keep` (which a
    /// restricted `weightGradient` then overwrites), cheaper than clearing all.
    public func zeroWeightGradient(outsideInputs keep: [Range<Int>], gradients: FloatBuffer) {
        var gaps: [Range<Int>] = []
        var next = 0
        for r in keep.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if r.lowerBound > next { gaps.append(next..<r.lowerBound) }
            next = max(next, r.upperBound)
        }
        if next < inputs { gaps.append(next..<inputs) }
        let w = weight(gradients)
        for o in 0..<outputs {
            let row = w.rowPointer(o)
            for g in gaps { (row + g.lowerBound).update(repeating: 0, count: g.count) }
        }
    }

    /// Clears the weight and bias gradient of the outputs outside `keep`.
    public func zeroGradient(outsideOutputs keep: Range<Int>, gradients: FloatBuffer) {
        let w = weight(gradients), b = bias(gradients)
        for o in 0..<outputs where !keep.contains(o) {
            w.rowPointer(o).update(repeating: 0, count: inputs)
            b[o] = 0
        }
    }
}
