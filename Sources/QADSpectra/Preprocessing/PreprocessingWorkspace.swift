import QADCore

/// Scratch buffers of the preprocessing kernel, reused from spectrum to
/// spectrum so the per-pixel loops allocate nothing. Not thread-safe: one per
/// worker. Grows to the largest merged spectrum it has seen.
public final class PreprocessingWorkspace {
    /// Merged flux and ivar (ivar 0 for pixels without a good member).
    private(set) var mergedFlux: UnsafeMutablePointer<Double>
    private(set) var mergedIvar: UnsafeMutablePointer<Double>
    /// Signed squared S/N per merged pixel, then scratch of the median
    /// (float32, like the rebinning sums: half the memory traffic of doubles,
    /// twice the SIMD lanes, and precision far below the noise).
    private(set) var pixelSNR: UnsafeMutablePointer<Float>
    private(set) var medianScratch: UnsafeMutablePointer<Float>
    private(set) var medianBins: UnsafeMutablePointer<UInt16>
    /// Per merged pixel, the rebinning's good width, width·flux and width²/ivar.
    private(set) var pixelA: UnsafeMutablePointer<Float>
    private(set) var pixelB: UnsafeMutablePointer<Float>
    private(set) var pixelC: UnsafeMutablePointer<Float>
    private(set) var capacity = 0
    /// Histogram of the median (`medianHistogramBins + 2` counts).
    let histogram: UnsafeMutablePointer<Int32>
    /// Rebinned flux and ivar of the bins a spectrum reaches, from index 0.
    let binFlux: UnsafeMutablePointer<Double>
    let binIvar: UnsafeMutablePointer<Double>
    /// The noise scale's second differences and its median's scratch (`bins` each).
    let noiseValues: UnsafeMutablePointer<Double>
    let noiseScratch: UnsafeMutablePointer<Double>
    let noiseBins: UnsafeMutablePointer<UInt16>
    let bins: Int
    /// The last merge plan made here, for spectra on the same grids.
    private var lastPlan: (wavelengths: [[Double]], plan: MergePlan)?

    public init(bins: Int = RestGrid.standard.count) {
        self.bins = bins
        mergedFlux = .allocate(capacity: 1)
        mergedIvar = .allocate(capacity: 1)
        pixelSNR = .allocate(capacity: 1)
        medianScratch = .allocate(capacity: 1)
        medianBins = .allocate(capacity: 1)
        pixelA = .allocate(capacity: 1)
        pixelB = .allocate(capacity: 1)
        pixelC = .allocate(capacity: 1)
        histogram = .allocate(capacity: medianHistogramBins + 2)
        binFlux = .allocate(capacity: bins)
        binIvar = .allocate(capacity: bins)
        noiseValues = .allocate(capacity: bins)
        noiseScratch = .allocate(capacity: bins)
        noiseBins = .allocate(capacity: bins)
    }

    deinit {
        for p in [mergedFlux, mergedIvar, binFlux, binIvar, noiseValues, noiseScratch] { p.deallocate() }
        for p in [pixelSNR, medianScratch, pixelA, pixelB, pixelC] { p.deallocate() }
        histogram.deallocate()
        medianBins.deallocate()
        noiseBins.deallocate()
    }

    /// Makes room for `n` merged pixels.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        for p in [mergedFlux, mergedIvar] { p.deallocate() }
        for p in [pixelSNR, medianScratch, pixelA, pixelB, pixelC] { p.deallocate() }
        mergedFlux = .allocate(capacity: n)
        mergedIvar = .allocate(capacity: n)
        pixelSNR = .allocate(capacity: n)
        medianScratch = .allocate(capacity: n)
        pixelA = .allocate(capacity: n)
        pixelB = .allocate(capacity: n)
        pixelC = .allocate(capacity: n)
        medianBins.deallocate()
        medianBins = .allocate(capacity: n)
        capacity = n
    }

    /// The merge plan for these arm wavelengths, reusing the last one when the
    /// grids are the same (arrays sharing storage compare in constant time).
    public func plan(for wavelengths: [[Double]]) -> MergePlan {
        if let last = lastPlan, last.wavelengths == wavelengths { return last.plan }
        let plan = MergePlan(wavelengths: wavelengths)
        lastPlan = (wavelengths, plan)
        return plan
    }
}
