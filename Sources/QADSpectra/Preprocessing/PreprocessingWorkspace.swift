import QADCore

/// Scratch buffers of the preprocessing kernel, reused from spectrum to
/// spectrum so the per-pixel loops allocate nothing. Not thread-safe: one per
/// worker. Grows to the largest merged spectrum it has seen.
public final class PreprocessingWorkspace {
    /// Merged flux and ivar (ivar 0 for pixels without a good member).
    private(set) var mergedFlux: UnsafeMutablePointer<Double>
    private(set) var mergedIvar: UnsafeMutablePointer<Double>
    /// flux·√ivar of the good merged pixels, then scratch of the median.
    private(set) var pixelSNR: UnsafeMutablePointer<Double>
    private(set) var medianScratch: UnsafeMutablePointer<Double>
    private(set) var medianBins: UnsafeMutablePointer<UInt16>
    private(set) var capacity = 0
    /// Histogram of the median (`medianHistogramBins + 2` counts).
    let histogram: UnsafeMutablePointer<Int32>
    /// Rebinning sums per rest-frame bin, all 0 between spectra.
    let sumO: UnsafeMutablePointer<Double>
    let sumOF: UnsafeMutablePointer<Double>
    let sumO2V: UnsafeMutablePointer<Double>
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
        histogram = .allocate(capacity: medianHistogramBins + 2)
        sumO = .allocate(capacity: bins)
        sumOF = .allocate(capacity: bins)
        sumO2V = .allocate(capacity: bins)
        for p in [sumO, sumOF, sumO2V] { p.initialize(repeating: 0, count: bins) }
    }

    deinit {
        for p in [mergedFlux, mergedIvar, pixelSNR, medianScratch, sumO, sumOF, sumO2V] { p.deallocate() }
        histogram.deallocate()
        medianBins.deallocate()
    }

    /// Makes room for `n` merged pixels.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        for p in [mergedFlux, mergedIvar, pixelSNR, medianScratch] { p.deallocate() }
        mergedFlux = .allocate(capacity: n)
        mergedIvar = .allocate(capacity: n)
        pixelSNR = .allocate(capacity: n)
        medianScratch = .allocate(capacity: n)
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
