import Foundation
import QADCore
import QADFormats

/// The redrock best-fit model of a target, as DESI's visual inspectors see it
/// beside the data: Σ cᵢ·Tᵢ(λ/(1+z)) from the REDSHIFTS row's coefficients and
/// the template redrock used (SPECTYPE and SUBTYPE; the newest version whose
/// basis count fits the coefficients). Not convolved with the spectrograph's
/// resolution, so narrow lines look slightly sharper than in redrock's own fit.
public enum RedrockModel {
    public struct Evaluated: Sendable {
        public var fit: RedrockFit
        public var template: String
        /// Model flux density in the coadd's unit (10⁻¹⁷ erg s⁻¹ cm⁻² Å⁻¹), NaN outside the template.
        public var flux: [Double]
    }

    /// The template for a fit among the `rrtemplate-*.fits` files of `directory`.
    public static func template(for fit: RedrockFit, in directory: String) throws -> RedrockTemplate {
        let candidates = try TemplateFolders.shared.templates(in: directory)
            .filter { $0.spectype == fit.spectype && $0.subtype == fit.subtype }
        let used = fit.coefficients.lastIndex { $0 != 0 }.map { $0 + 1 } ?? 0
        guard let best = candidates.filter({ $0.basis.count >= used })
            .max(by: { $0.version.compare($1.version, options: .numeric) == .orderedAscending }) else {
            throw LocatedError("\(directory): no redrock template for SPECTYPE \(fit.spectype) SUBTYPE "
                               + "'\(fit.subtype)' with \(used) or more basis vectors (rrtemplate-*.fits)")
        }
        return best
    }

    /// The model at observed wavelengths `lambda` (Å).
    public static func evaluate(_ fit: RedrockFit, _ t: RedrockTemplate, at lambda: [Double]) -> [Double] {
        let grid = t.restWavelength
        var combined = [Double](repeating: 0, count: grid.count)
        for (c, b) in zip(fit.coefficients, t.basis) where c != 0 {
            for i in combined.indices { combined[i] += c * b[i] }
        }
        return lambda.map { obs in
            let rest = obs / (1 + fit.z)
            guard rest >= grid[0], rest <= grid[grid.count - 1] else { return .nan }
            var lo = 0, hi = grid.count - 1
            while hi - lo > 1 { let m = (lo + hi) / 2; if grid[m] <= rest { lo = m } else { hi = m } }
            let t = (rest - grid[lo]) / (grid[hi] - grid[lo])
            return combined[lo] + t * (combined[hi] - combined[lo])
        }
    }

    /// The model of an ingested spectrum from the redrock file beside its
    /// source coadd, at observed wavelengths `lambda`.
    public static func model(of s: SpectrumRecord, templates directory: String, at lambda: [Double]) throws -> Evaluated {
        guard s.sourceHdu == "FIBERMAP", let path = RedrockFile.companion(ofCoadd: s.sourceFile) else {
            throw LocatedError("\(s.sourceFile): no redrock file beside this source, so no redrock model")
        }
        guard let fit = try RedrockFile.fit(path, targetid: s.targetid) else {
            throw LocatedError("\(path): no REDSHIFTS row for TARGETID \(s.targetid)")
        }
        let t = try template(for: fit, in: directory)
        return Evaluated(fit: fit, template: URL(fileURLWithPath: t.path).lastPathComponent, flux: evaluate(fit, t, at: lambda))
    }
}

/// The templates of each folder, read once and kept while the folder's
/// listing (names, sizes, modification times) stays the same: the review
/// page asks for a redrock model on every `m`, and a folder holds several MB
/// of FITS.
final class TemplateFolders: Sendable {
    static let shared = TemplateFolders()

    private struct Entry {
        /// Each file's size and modification time, by name.
        var listing: [String: String]
        var templates: [RedrockTemplate]
    }

    private let entries = Locked<[String: Entry]>([:])

    func templates(in directory: String) throws -> [RedrockTemplate] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("rrtemplate-") && $0.hasSuffix(".fits") }.sorted()
        var listing: [String: String] = [:]
        for name in names {
            let a = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)) ?? [:]
            listing[name] = "\(a[.size] ?? "?") \(a[.modificationDate] ?? "?")"
        }
        if let hit = entries.withLock({ $0[directory] }), hit.listing == listing { return hit.templates }
        let templates = try names.map { try RedrockTemplate.read(directory + "/" + $0) }
        entries.withLock { $0[directory] = Entry(listing: listing, templates: templates) }
        return templates
    }
}
