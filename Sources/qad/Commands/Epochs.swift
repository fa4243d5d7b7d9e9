import ArgumentParser
import Foundation
import QADCore
import QADCrossmatch
import QADDetect
import QADFormats
import QADPipeline
import QADStore

/// `qad epochs`: what changed between repeat spectra of one object.
struct Epochs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare repeat spectra of one object: continuum, broad lines, changing look.",
        discussion: """
            Reads SDSS/BOSS spec-PLATE-MJD-FIBER.fits files, groups them into objects (friends of friends \
            within --radius, exact separation on the sphere); without files, takes the objects with \
            repeat epochs from the store (`qad ingest` links them; SDSS files and DESI coadd rows \
            are read again from where they were ingested). It orders each object's spectra by MJD and \
            compares each later epoch with the first (--pairs consecutive: with the one before). Per pair: the later epoch is put on the earlier one's calibration by a smooth \
            shape fitted on line-free continuum windows (the continuum level change is kept and \
            reported); then the flux and rest equivalent width of each covered broad line (Lyα, CIV, \
            CIII], MgII, Hβ, Hα) in both epochs, with errors; the most significant localized difference; \
            and flags: a broad line that vanished or emerged (≥ 3σ change to under a third of a ≥ 5σ \
            line), a class change, redshifts that disagree by more than 0.01(1+z). From the store, each \
            object also gets its `variability` (σ), calibrated among the stored pairs of similar S/N \
            and baseline; --truth evaluates it against `qad simulate --epochs`'s epochs.csv.
            """)

    enum Pairs: String, ExpressibleByArgument, CaseIterable { case first, consecutive }
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Two or more spec-*.fits files; those of one object are compared. None: the store's objects.")
    var files: [String] = []
    @OptionGroup var common: StoreOptions
    @Option(name: .long, help: "With the store: only this object (its TARGETID); its variability is the one the last run over all objects stored.")
    var target: Int64?
    @Option(name: .long, help: "Spectra closer than this (arcsec, friends of friends) are one object.")
    var radius = 1.0
    @Option(name: .long, help: "first: every epoch against the earliest; consecutive: each against the one before.")
    var pairs = Pairs.first
    @Option(name: .long, help: "text or json.")
    var format = Format.text
    @Option(name: .long, help: "With the store, text: show only the N most variable objects.")
    var top: Int?
    @Option(name: .long, help: "With the store: evaluate against this truth table (qad simulate --epochs's epochs.csv).")
    var truth: String?

    func validate() throws {
        if files.isEmpty {
            try common.requireExistingStore(hint: ": give spec-*.fits files, or --store with ingested repeat epochs")
        } else if files.count < 2 {
            throw ValidationError("give at least two spectra of the object")
        }
        guard radius > 0, radius <= 3600 else { throw ValidationError("--radius must be in (0, 3600] arcsec") }
    }

    /// The repeat spectra of one object and what changed between them.
    struct RepeatObject: Encodable {
        /// The store's object (nil for files given on the command line; for a
        /// redshift conflict, the first of the two objects).
        var targetid: Int64?
        /// Two objects' spectra within --radius whose redshifts disagree: kept
        /// apart in the store, compared here because one redshift is wrong.
        var redshiftConflict = false
        /// The calibrated variability (σ) of the object's most variable pair (store only).
        var variability: Double?
        var ra: Double
        var dec: Double
        var spectra: [String]
        var pairs: [EpochDifference]
    }

    func run() throws {
        if let truth {
            guard files.isEmpty else { throw ValidationError("--truth evaluates the store's objects: give no files") }
            return try evaluate(truth: truth)
        }
        var objects = files.isEmpty ? try storedObjects() : try fileObjects()
        if let top { objects.list = Array(objects.list.prefix(max(0, top))) }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // snake_case like qad's other JSON (the review API, export's column names).
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity",
                                                                          negativeInfinity: "-Infinity", nan: "NaN")
            print(String(decoding: try encoder.encode(objects.list), as: UTF8.self))
        case .text:
            print(objects.heading + "\n")
            for o in objects.list {
                print((o.redshiftConflict ? "REDSHIFT CONFLICT: " : "") + (o.targetid.map { "TARGETID \($0), " } ?? "")
                      + String(format: "RA %.5f, Dec %+.5f: %d spectra", o.ra, o.dec, o.spectra.count)
                      + (o.variability.map { String(format: ", variability %.1fσ", $0) } ?? "") + "\n")
                for d in o.pairs { print(Self.text(d)) }
            }
        }
    }

    /// The epochs of one object compared as --pairs says (earliest first).
    func compare(_ epochs: [EpochSpectrum]) -> [EpochDifference] {
        epochs.indices.dropFirst().map { i in EpochComparison.compare(pairs == .first ? epochs[0] : epochs[i - 1], epochs[i]) }
    }

    func fileObjects() throws -> (list: [RepeatObject], heading: String) {
        let read = try files.map { try Self.read($0) }
        let groups = SkyGroups.friendsOfFriends(ra: read.map(\.ra), dec: read.map(\.dec), radiusArcsec: radius)
        let objects: [RepeatObject] = groups.filter { $0.count >= 2 }.map { group in
            let epochs = group.map { read[$0].epoch }.sorted { $0.mjd < $1.mjd }
            return RepeatObject(targetid: nil, ra: read[group[0]].ra, dec: read[group[0]].dec,
                                spectra: epochs.map(\.name), pairs: compare(epochs))
        }
        guard !objects.isEmpty else {
            throw LocatedError("no two of the \(files.count) spectra lie within --radius \(radius)″ of each other: "
                               + "they are not repeat observations of one object")
        }
        let single = groups.filter { $0.count == 1 }.count
        return (objects, "\(objects.count) object(s) with repeat spectra among \(files.count) files"
                + (single > 0 ? "; \(single) spectra have no other epoch within \(radius)″" : ""))
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
