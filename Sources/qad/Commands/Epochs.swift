import ArgumentParser
import Foundation
import QADCore
import QADCrossmatch
import QADDetect
import QADFormats

/// `qad epochs`: what changed between repeat spectra of one object.
struct Epochs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare repeat spectra of one object: continuum, broad lines, changing look.",
        discussion: """
            Reads SDSS/BOSS spec-PLATE-MJD-FIBER.fits files of one object (positions within --radius), \
            orders them by MJD and compares each later epoch with the first (--pairs consecutive: with \
            the one before). Per pair: the later epoch is put on the earlier one's calibration by a smooth \
            shape fitted on line-free continuum windows (the continuum level change is kept and \
            reported); then the flux and rest equivalent width of each covered broad line (Lyα, CIV, \
            CIII], MgII, Hβ, Hα) in both epochs, with errors; the most significant localized difference; \
            and flags: a broad line that vanished or emerged (≥ 3σ change to under a third), a class \
            change, redshifts that disagree by more than 0.01(1+z).
            """)

    enum Pairs: String, ExpressibleByArgument, CaseIterable { case first, consecutive }
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Two or more spec-*.fits files of the same object.")
    var files: [String]
    @Option(name: .long, help: "Largest separation (arcsec) between the files' positions.")
    var radius = 1.0
    @Option(name: .long, help: "first: every epoch against the earliest; consecutive: each against the one before.")
    var pairs = Pairs.first
    @Option(name: .long, help: "text or json.")
    var format = Format.text

    func validate() throws {
        guard files.count >= 2 else { throw ValidationError("give at least two spectra of the object") }
        guard radius > 0, radius <= 3600 else { throw ValidationError("--radius must be in (0, 3600] arcsec") }
    }

    func run() throws {
        let read = try files.map { try Self.read($0) }.sorted { $0.epoch.mjd < $1.epoch.mjd }
        let first = read[0]
        for other in read.dropFirst() {
            let sep = SkyGeometry.separationArcsec(ra1: first.ra, dec1: first.dec, ra2: other.ra, dec2: other.dec)
            guard sep <= radius else {
                throw LocatedError("\(other.epoch.name) lies \(String(format: "%.2f", sep))″ from \(first.epoch.name) "
                                   + "(more than --radius \(radius)″): not the same object")
            }
        }
        let differences: [EpochDifference] = read.indices.dropFirst().map { i in
            EpochComparison.compare(pairs == .first ? read[0].epoch : read[i - 1].epoch, read[i].epoch)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity",
                                                                          negativeInfinity: "-Infinity", nan: "NaN")
            print(String(decoding: try encoder.encode(differences), as: UTF8.self))
        case .text:
            for d in differences { print(Self.text(d)) }
        }
    }

    static func read(_ path: String) throws -> (epoch: EpochSpectrum, ra: Double, dec: Double) {
        let spec = try SDSSSpecFile(path: path)
        return (EpochSpectrum(spec), spec.ra, spec.dec)
    }

    static func text(_ d: EpochDifference) -> String {
        func f(_ v: Double, _ digits: Int = 1) -> String { v.isFinite ? String(format: "%.\(digits)f", v) : "–" }
        var out = "\(d.earlier) (MJD \(f(d.earlierMJD, 0))) → \(d.later) (MJD \(f(d.laterMJD, 0))): "
            + "\(f(d.restFrameDays, 0)) rest-frame days at z = \(f(d.z, 4))\n"
        out += "  continuum ×\(f(d.continuumRatio, 3)) ± \(f(d.continuumRatioError, 3)) at \(f(d.continuumRestLambda, 0)) Å rest "
            + "(\(d.continuumWindowsUsed) line-free windows)\n"
        if d.lines.isEmpty { out += "  no broad line covered by both epochs\n" }
        for c in d.lines {
            out += "  \(c.line.padding(toLength: 6, withPad: " ", startingAt: 0))"
                + " flux \(f(c.earlier.flux)) ± \(f(c.earlier.fluxError)) → \(f(c.later.flux)) ± \(f(c.later.fluxError))"
                + " (\(f(c.significance))σ, ×\(f(c.ratio, 2)));"
                + " EW \(f(c.earlier.equivalentWidth)) → \(f(c.later.equivalentWidth)) Å\n"
        }
        out += "  largest local difference \(f(d.localSignificance))σ at \(f(d.localRestLambda, 0)) Å rest "
            + "(\(f(d.localRestWidth, 0)) Å wide)\n"
        out += "  flags: " + (d.reasons.isEmpty ? "none" : d.reasons.joined(separator: "; ")) + "\n"
        return out
    }
}
