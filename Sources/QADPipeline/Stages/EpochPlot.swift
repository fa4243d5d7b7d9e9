import Foundation
import QADCore
import QADDetect
import QADPlot
import QADStore

/// The epoch figure of a stored object (`qad plot --epochs`, the review
/// app's epochs panel): its spectra read again from their files, the latest
/// compared with the earliest, each labelled with its date, visit and S/N.
public enum EpochPlot {
    /// nil when the object has fewer than two epochs.
    public static func drawing(_ store: any Store, object id: TargetID, figure: EpochFigure) throws -> Drawing? {
        let records = try store.epochs(of: id)
        guard records.count >= 2 else { return nil }
        let spectra = try StoredEpochReader().read(records)
        let difference = EpochComparison.compare(spectra[0], spectra[spectra.count - 1])
        let labels = records.map { e in
            (e.mjd.map { String(format: "MJD %.0f", $0) } ?? "MJD ?") + "  " + e.visit + "  S/N "
                + String(format: "%.1f", e.spectrum.snr)
        }
        let z = try store.spectrum(id)?.z ?? records[0].spectrum.z
        return figure.draw(targetid: id, z: z, epochs: spectra, labels: labels, difference: difference)
    }
}
