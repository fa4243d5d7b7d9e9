/// The local outlier factor (Breunig et al. 2000) of every indexed point from
/// its nearest-neighbour lists: how much sparser a point's neighbourhood is
/// than its neighbours' own. The k-th neighbour distance alone ranks every
/// spectrum in a thinly populated part of latent space (rare redshifts, the
/// brightest quasars) above every spectrum in a crowded part; the ratio asks
/// whether a spectrum is isolated *from its own kind*, so its normal values
/// sit near 1 wherever the spectrum lies.
public enum LocalOutlierFactor {
    /// LOF with the first `k` neighbours of each list (self excluded, as
    /// `neighborsOfIndexedPoints` gives them): reach(i, j) = max(d(i, j),
    /// k-distance of j), lrd(i) = 1 / (mean reach + 1e-10), LOF(i) = mean
    /// lrd(j) / lrd(i) over i's neighbours j (scikit-learn's definition and
    /// guard against duplicate points).
    public static func scores(_ lists: NeighborLists, k: Int) -> [Double] {
        precondition(k >= 1 && k <= lists.k, "k must be in 1...\(lists.k)")
        let n = lists.count
        let kDistance = (0..<n).map { lists.distances[$0 * lists.k + k - 1] }
        var density = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var reach = 0.0
            for m in 0..<k {
                let j = Int(lists.indices[i * lists.k + m])
                reach += max(lists.distances[i * lists.k + m], kDistance[j])
            }
            density[i] = 1 / (reach / Double(k) + 1e-10)
        }
        return (0..<n).map { i in
            var sum = 0.0
            for m in 0..<k { sum += density[Int(lists.indices[i * lists.k + m])] }
            return sum / Double(k) / density[i]
        }
    }
}
