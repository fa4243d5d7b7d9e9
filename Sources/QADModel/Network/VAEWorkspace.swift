/// Everything one thread needs to push a batch through the VAE and back:
/// inputs restricted to the batch's covered bins, every layer's pre- and
/// post-activation values, deltas and per-spectrum statistics. Allocated once
/// for a maximum batch and reused, so training and inference allocate nothing
/// per batch. One workspace per thread; never shared.
public final class VAEWorkspace: @unchecked Sendable {
    public let layout: ParameterLayout
    public let capacity: Int
    var architecture: VAEArchitecture { layout.architecture }

    /// Rows loaded and the union [lo, hi) of their covered bins.
    public internal(set) var rows = 0
    public internal(set) var lo = 0
    public internal(set) var hi = 0
    /// Output columns computed by the last forward pass: [outLo, outHi).
    public internal(set) var outLo = 0
    public internal(set) var outHi = 0
    var width: Int { hi - lo }
    var outWidth: Int { outHi - outLo }

    // Inputs over [lo, hi), each [rows, width] with stride = width.
    let flux: FloatBuffer
    let weight: FloatBuffer
    let featureFlux: FloatBuffer
    let featureWeight: FloatBuffer

    let encoderZ: [FloatBuffer]
    let encoderA: [FloatBuffer]
    /// [μ | h], [rows, 2·latent]; log σ² = LogVariance.value(h).
    let latentOut: FloatBuffer
    /// Standard normal noise for the reparameterization, [rows, latent].
    public let noise: FloatBuffer
    let sigma: FloatBuffer
    /// log σ² after the bounding transform (`LogVariance`), [rows, latent].
    let logVar: FloatBuffer
    let z: FloatBuffer
    let decoderZ: [FloatBuffer]
    let decoderA: [FloatBuffer]
    /// Reconstruction over [outLo, outHi), [rows, outWidth].
    let output: FloatBuffer

    /// The weights the last reweighting gave each covered bin,
    /// 1/(1/w + (ε·m)²) (w itself without a model error), [rows, width].
    let effectiveWeight: FloatBuffer
    let deltaOutput: FloatBuffer
    let deltaHidden: (FloatBuffer, FloatBuffer)
    let deltaLatent: FloatBuffer
    let deltaZ: FloatBuffer
    let ones: FloatBuffer

    /// Per-spectrum results of `computeLoss`.
    public internal(set) var chi2: [Double]
    public internal(set) var dof: [Int]
    public internal(set) var kl: [Double]
    public internal(set) var squaredError: [Double]
    /// Σ w (f − m)²: χ² against the noise alone, without the model error.
    public internal(set) var noiseChi2: [Double]

    public init(layout: ParameterLayout, capacity: Int) {
        self.layout = layout
        self.capacity = capacity
        let a = layout.architecture
        let n = capacity * a.bins
        flux = FloatBuffer(count: n)
        weight = FloatBuffer(count: n)
        featureFlux = FloatBuffer(count: n)
        featureWeight = FloatBuffer(count: n)
        encoderZ = a.hidden.map { FloatBuffer(count: capacity * $0) }
        encoderA = a.hidden.map { FloatBuffer(count: capacity * $0) }
        latentOut = FloatBuffer(count: capacity * 2 * a.latent)
        noise = FloatBuffer(count: capacity * a.latent)
        sigma = FloatBuffer(count: capacity * a.latent)
        logVar = FloatBuffer(count: capacity * a.latent)
        z = FloatBuffer(count: capacity * a.latent)
        decoderZ = a.hidden.reversed().map { FloatBuffer(count: capacity * $0) }
        decoderA = a.hidden.reversed().map { FloatBuffer(count: capacity * $0) }
        output = FloatBuffer(count: n)
        effectiveWeight = FloatBuffer(count: n)
        deltaOutput = FloatBuffer(count: n)
        let widest = a.hidden.max()!
        deltaHidden = (FloatBuffer(count: capacity * widest), FloatBuffer(count: capacity * widest))
        deltaLatent = FloatBuffer(count: capacity * 2 * a.latent)
        deltaZ = FloatBuffer(count: capacity * a.latent)
        ones = FloatBuffer(count: capacity, repeating: 1)
        chi2 = [Double](repeating: 0, count: capacity)
        dof = [Int](repeating: 0, count: capacity)
        kl = [Double](repeating: 0, count: capacity)
        squaredError = [Double](repeating: 0, count: capacity)
        noiseChi2 = [Double](repeating: 0, count: capacity)
    }

    // Views of the current batch.
    func inputView(_ b: FloatBuffer) -> MatrixView { b.view(rows: rows, columns: width) }
    func hiddenView(_ b: FloatBuffer, _ w: Int) -> MatrixView { b.view(rows: rows, columns: w) }
    var latentView: MatrixView { latentOut.view(rows: rows, columns: 2 * architecture.latent) }
    var outputView: MatrixView { output.view(rows: rows, columns: outWidth) }

    /// μ of the loaded batch, [rows, latent] (a view into the latent layer's output).
    public var mu: MatrixView { latentView.columns(0..<architecture.latent) }
    /// log σ² of the loaded batch (bounded, see `LogVariance`).
    public var logVariance: MatrixView { logVar.view(rows: rows, columns: architecture.latent) }
    /// σ of the loaded batch.
    public var sigmaView: MatrixView { sigma.view(rows: rows, columns: architecture.latent) }
    /// The reconstruction, with the grid bins it covers.
    public var reconstruction: (view: MatrixView, bins: Range<Int>) { (outputView, outLo..<outHi) }
}
