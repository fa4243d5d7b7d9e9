import Foundation
import QADCore
import QADDetect
import QADPlot
import QADStore

/// The epoch figure of a stored object (`qad plot --epochs`, the review
/// app's epochs panel): its spectra read again from their files, the latest
/// compared with the earliest, each labelled with its date, visit and S/N.
public struct EpochPlot: Sendable {
    let id: TargetID
    let z: Double
    let spectra: [EpochSpectrum]
    let labels: [String]
    let difference: EpochDifference

    /// Reads and compares the object's epochs once, for any number of
    /// drawings; nil when it has fewer than two.
    public init?(_ store: any Store, object id: TargetID) throws {
        let records = try store.epochs(of: id)
        guard records.count >= 2 else { return nil }
        self.id = id
        spectra = try StoredEpochReader().read(records)
        difference = EpochComparison.compare(spectra[0], spectra[spectra.count - 1])
        labels = records.map { e in
            (e.mjd.map { String(format: "MJD %.0f", $0) } ?? "MJD ?") + "  " + e.visit + "  S/N "
                + String(format: "%.1f", e.spectrum.snr)
        }
        z = try store.spectrum(id)?.z ?? records[0].spectrum.z
    }

    public func draw(_ figure: EpochFigure) -> Drawing {
        figure.draw(targetid: id, z: z, epochs: spectra, labels: labels, difference: difference)
    }
}
