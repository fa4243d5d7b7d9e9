import Foundation
import QADCore
import QADFormats
import QADSpectra

/// What to simulate.
public struct SimulationConfig: Sendable {
    /// Root of the mock survey (created if missing).
    public var outputDirectory: String
    /// Total number of spectra, all classes.
    public var count: Int
    /// Fraction of quasars given an injected anomaly.
    public var anomalyFraction: Double
    public var seed: UInt64
    /// Fraction of spectra that are quasars; the rest are 80% galaxies and 20%
    /// stars, as in the dark-time healpix files of DR1.
    public var quasarFraction: Double
    /// Spectra per healpix coadd (DR1 dark files hold a few hundred).
    public var spectraPerFile: Int
    /// Files simulated at once (default: all cores).
    public var workers: Int
    /// Share of quasars observed a second time (`qad simulate --epochs`),
    /// written to `healpix/special/dark/…` with the truth in `epochs.csv`.
    public var epochFraction = 0.0
    /// Share of all quasars whose repeat shows a change (changing look, BAL
    /// trough emerging or vanishing, class change); at most `epochFraction`.
    public var epochChangeFraction = 0.01

    public init(outputDirectory: String, count: Int, anomalyFraction: Double = 0, seed: UInt64 = 1,
                quasarFraction: Double = 0.6, spectraPerFile: Int = 500,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.outputDirectory = outputDirectory
        self.count = count
        self.anomalyFraction = anomalyFraction
        self.seed = seed
        self.quasarFraction = quasarFraction
        self.spectraPerFile = spectraPerFile
        self.workers = max(1, workers)
    }

    /// The most spectra TARGETIDs can tell apart (22-bit BRICK_OBJID).
    public static let maximumCount = 4_000_000

    /// Why the configuration cannot run, or nil.
    public var problem: String? {
        if count < 1 { return "the number of spectra must be at least 1" }
        if count > SimulationConfig.maximumCount { return "at most \(SimulationConfig.maximumCount) spectra" }
        if !(0...1).contains(anomalyFraction) { return "the anomaly fraction must be within 0…1" }
        if !(0...1).contains(quasarFraction) { return "the quasar fraction must be within 0…1" }
        if !(0...1).contains(epochFraction) { return "the repeat-epoch fraction must be within 0…1" }
        if epochFraction > 0, !(0...epochFraction).contains(epochChangeFraction) {
            return "the fraction of quasars with a changed repeat must be within 0 and the repeat-epoch fraction"
        }
        if spectraPerFile < 1 { return "spectra per file must be at least 1" }
        if (count + spectraPerFile - 1) / spectraPerFile > 40_000 { return "more than 40,000 files: raise spectra per file" }
        return nil
    }
}

/// What was written.
public struct SimulationSummary: Sendable {
    public var outputDirectory: String
    public var coaddFiles: [String] = []
    public var redrockFiles: [String] = []
    public var catalogFile = ""
    public var truthFile = ""
    /// With `--epochs`: the repeat coadds and the epoch truth table.
    public var repeatFiles: [String] = []
    public var epochTruthFile: String?
    public var repeats = 0
    public var repeatsByKind: [String: Int] = [:]
    public var spectra = 0
    public var quasars = 0
    public var galaxies = 0
    public var stars = 0
    public var anomalies = 0
    /// Anomalies by truth-table type (BAL, REDDENED, …).
    public var anomaliesByType: [String: Int] = [:]
    /// Median over quasars of the per-spectrum SNR (median flux·√ivar).
    public var medianQuasarSNR = 0.0
    public var elapsedSeconds = 0.0

    /// Healpix files (one coadd + one redrock each).
    public var files: Int { coaddFiles.count }
}


/// Writes a DESI-format mock survey:
///
///     OUT/healpix/main/dark/<hpx/100>/<hpx>/coadd-main-dark-<hpx>.fits
///     OUT/healpix/main/dark/<hpx/100>/<hpx>/redrock-main-dark-<hpx>.fits
///     OUT/QSO_cat_sim.fits      (HDU QSO_CAT, quasars only)
///     OUT/truth.csv             (every spectrum: class, true z, anomaly, SNR)
///
/// Every random draw derives from `config.seed` by file and spectrum index, so
/// the same configuration gives byte-identical files whatever the number of
/// workers. Files are simulated in parallel, one FITS handle per task.
public func simulateSurvey(_ config: SimulationConfig, progress: ((Int) -> Void)? = nil) throws -> SimulationSummary {
    if let problem = config.problem { throw LocatedError(message: problem) }
    let start = Date()
    let fm = FileManager.default
    try fm.createDirectory(atPath: config.outputDirectory, withIntermediateDirectories: true)

    // Plan: file sizes and their healpix pixels, drawn up front.
    let fileCount = (config.count + config.spectraPerFile - 1) / config.spectraPerFile
    var layoutRNG = Xoshiro256StarStar(seed: SplitMix64.derive(config.seed, 0x4850_5849))  // "HPXI"
    let pixels = SkyLayout.drawPixels(fileCount, using: &layoutRNG)
    let plans: [SimFilePlan] = (0..<fileCount).map { i in
        let first = i * config.spectraPerFile
        return SimFilePlan(index: i, healpix: pixels[i], firstSpectrum: first,
                        rows: min(config.spectraPerFile, config.count - first))
    }
    // Build the shared tables once before the workers need them.
    _ = DESIInstrument.sky.count
    _ = DESIInstrument.electronRate.count
    _ = LymanForest.amplitude(z: 2)

    let results = SharedArray<Result<([SimulatedTarget], [SimulatedRepeat]), Error>?>(repeating: nil, count: fileCount)
    // Spectra done, reported to the caller one call at a time.
    let done = Locked(0)
    let report = UnsafeSendable(progress)
    parallelBlocks(total: fileCount, blockSize: 1, threads: config.workers) { files in
        for i in files {
            let outcome: Result<([SimulatedTarget], [SimulatedRepeat]), Error>
            do {
                outcome = .success(try simulateHealpixFile(plans[i], config: config))
            } catch {
                outcome = .failure(error)
            }
            results[i] = outcome
            done.withLock { n in
                n += plans[i].rows
                report.value?(n)
            }
        }
    }

    // Collect in file order.
    var summary = SimulationSummary(outputDirectory: config.outputDirectory)
    var all: [SimulatedTarget] = []
    var repeats: [SimulatedRepeat] = []
    all.reserveCapacity(config.count)
    for plan in plans {
        switch results[plan.index]! {
        case .failure(let error): throw error
        case .success(let (targets, again)):
            all.append(contentsOf: targets)
            repeats.append(contentsOf: again)
            if !again.isEmpty { summary.repeatFiles.append(plan.coaddPath(config.outputDirectory, survey: "special")) }
        }
        summary.coaddFiles.append(plan.coaddPath(config.outputDirectory))
        summary.redrockFiles.append(plan.redrockPath(config.outputDirectory))
    }
    if config.epochFraction > 0 {
        let path = (config.outputDirectory as NSString).appendingPathComponent("epochs.csv")
        var text = SimulatedRepeat.truthHeader + "\n"
        for r in repeats {
            text += r.truthLine + "\n"
            summary.repeatsByKind[r.plan.kind.rawValue, default: 0] += 1
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        summary.epochTruthFile = path
        summary.repeats = repeats.count
    }
    // TARGETIDs must be unique across the survey.
    var ids = Set<TargetID>(minimumCapacity: all.count)
    for t in all where !ids.insert(t.targetID).inserted {
        throw LocatedError(message: "duplicate TARGETID \(t.targetID) (seed \(config.seed))")
    }

    let quasars = all.filter { $0.target.mockClass == .qso }
    summary.catalogFile = (config.outputDirectory as NSString).appendingPathComponent("QSO_cat_sim.fits")
    try MockFileWriter.writeQSOCatalog(path: summary.catalogFile, seed: config.seed, quasars: quasars)

    summary.truthFile = (config.outputDirectory as NSString).appendingPathComponent("truth.csv")
    var text = MockFileWriter.truthHeader + "\n"
    text.reserveCapacity(all.count * 120)
    for t in all { text += MockFileWriter.truthLine(t) + "\n" }
    try text.write(toFile: summary.truthFile, atomically: true, encoding: .utf8)

    summary.spectra = all.count
    summary.quasars = quasars.count
    summary.galaxies = all.filter { $0.target.mockClass == .galaxy }.count
    summary.stars = all.filter { $0.target.mockClass == .star }.count
    for t in quasars { if let a = t.target.anomaly { summary.anomalies += 1; summary.anomaliesByType[a.typeName, default: 0] += 1 } }
    var snrs = quasars.map(\.snr)
    summary.medianQuasarSNR = snrs.isEmpty ? 0 : median(&snrs)
    summary.elapsedSeconds = Date().timeIntervalSince(start)
    return summary
}

/// One healpix file of the plan.
struct SimFilePlan: Sendable {
    var index: Int
    var healpix: Int
    var firstSpectrum: Int
    var rows: Int

    /// `survey`: "main" for the survey, "special" for the repeat epochs.
    func directory(_ root: String, survey: String = "main") -> String {
        (root as NSString).appendingPathComponent("healpix/\(survey)/dark/\(healpix / 100)/\(healpix)")
    }
    func coaddPath(_ root: String, survey: String = "main") -> String {
        (directory(root, survey: survey) as NSString).appendingPathComponent("coadd-\(survey)-dark-\(healpix).fits")
    }
    func redrockPath(_ root: String, survey: String = "main") -> String {
        (directory(root, survey: survey) as NSString).appendingPathComponent("redrock-\(survey)-dark-\(healpix).fits")
    }
}

/// Simulates and writes one healpix file (and its repeat-epoch file); returns
/// its targets and repeats.
func simulateHealpixFile(_ plan: SimFilePlan, config: SimulationConfig) throws -> ([SimulatedTarget], [SimulatedRepeat]) {
    var pixels = SimFilePixels(rows: plan.rows)
    var targets: [SimulatedTarget] = []
    var repeats: [SimulatedRepeat] = []
    targets.reserveCapacity(plan.rows)
    for row in 0..<plan.rows {
        let global = plan.firstSpectrum + row
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(config.seed, UInt64(global) &+ 0x5EED_0000_0000))
        let (target, observation, again) = simulateSpectrum(globalIndex: global, healpix: plan.healpix,
                                                            config: config, using: &rng)
        pixels.store(observation, row: row)
        targets.append(target)
        if let again { repeats.append(again) }
    }
    try FileManager.default.createDirectory(atPath: plan.directory(config.outputDirectory),
                                            withIntermediateDirectories: true)
    try MockFileWriter.writeCoadd(path: plan.coaddPath(config.outputDirectory), healpix: plan.healpix,
                                  seed: config.seed, targets: targets, pixels: pixels)
    try MockFileWriter.writeRedrock(path: plan.redrockPath(config.outputDirectory), healpix: plan.healpix,
                                    seed: config.seed, targets: targets)
    if !repeats.isEmpty {
        var again = SimFilePixels(rows: repeats.count)
        for (row, r) in repeats.enumerated() { again.store(r.observation, row: row) }
        let root = config.outputDirectory, survey = "special"
        try FileManager.default.createDirectory(atPath: plan.directory(root, survey: survey), withIntermediateDirectories: true)
        try MockFileWriter.writeCoadd(path: plan.coaddPath(root, survey: survey), healpix: plan.healpix, seed: config.seed,
                                      targets: repeats.map(\.record), pixels: again, survey: survey)
        try MockFileWriter.writeRedrock(path: plan.redrockPath(root, survey: survey), healpix: plan.healpix,
                                        seed: config.seed, targets: repeats.map(\.record), survey: survey)
    }
    return (targets, repeats)
}

/// DESI_TARGET bits (desitarget `desi_mask`).
enum SimDesiMask {
    static let lrg: Int64 = 1 << 0
    static let elg: Int64 = 1 << 1
    static let qso: Int64 = 1 << 2
    static let mwsAny: Int64 = 1 << 62
}

/// One spectrum: class, physics, observation, photometry, redrock and catalog values.
func simulateSpectrum(globalIndex: Int, healpix: Int, config: SimulationConfig,
                      using rng: inout Xoshiro256StarStar)
    -> (SimulatedTarget, DESIInstrument.Observation, SimulatedRepeat?) {
    // Class mix: quasars, then galaxies : stars = 4 : 1.
    let u = rng.drawUnit()
    let cls: MockClass = u < config.quasarFraction ? .qso
        : (rng.drawUnit() < 0.8 ? .galaxy : .star)
    let target = MockTargets.draw(cls, anomalyFraction: config.anomalyFraction, using: &rng)

    // Noiseless spectrum in 1e-17 erg/s/cm²/Å: the emitted spectrum is scaled
    // to the drawn S/N, then the intergalactic absorption applies.
    let shapes = MockTargets.observedShapes(target, using: &rng)
    let amplitude = DESIInstrument.amplitude(forModel: shapes.emitted, targetSNR: target.targetSNR,
                                             exposures: target.exposures)
    var flux = shapes.observed.map { $0 * amplitude }
    // A repeat epoch, from a stream of its own; a change in the first epoch
    // (a faint changing-look state, a trough that later vanishes) alters it.
    var epochRNG = Xoshiro256StarStar(seed: SplitMix64.derive(config.seed, UInt64(globalIndex) &+ 0xE90C_0000_0000))
    let repeatPlan = config.epochFraction > 0 ? RepeatPlan.draw(target: target, config: config, using: &epochRNG) : nil
    if let repeatPlan, repeatPlan.changesFirst {
        flux = EpochVariation.flux(target, emitted: shapes.emitted, observed: shapes.observed, amplitude: amplitude,
                                   state: repeatPlan.first)
    }
    let observation = DESIInstrument.observe(flux: flux, exposures: target.exposures, using: &rng)

    // Position and identifiers.
    let pos = SkyLayout.drawPosition(in: healpix, using: &rng)
    let brick = SkyLayout.brick(ra: pos.ra, dec: pos.dec)
    let release = SkyLayout.release(ra: pos.ra, dec: pos.dec)
    let objID = globalIndex & 0x3F_FFFF
    let targetID = SkyLayout.targetID(release: release, brickID: brick.id, objID: objID)

    // Photometry: the spectrum is what a 1.5″ fiber collects; point sources put
    // ~78% of their light in it (1″ seeing), galaxies less.
    let fiber = DESIInstrument.photometry(flux: flux)
    let aperture: Double
    let morph: String
    switch cls {
    case .qso, .star: aperture = 0.78; morph = "PSF"
    case .galaxy:
        aperture = rng.drawUniform(0.3, 0.6)
        morph = ["REX", "EXP", "DEV", "SER"][rng.drawIndex(4)]
    }
    // WISE: quasars are bright in W1/W2 (hot dust, the basis of the DESI QSO
    // selection), galaxies moderately, stars faint (Rayleigh–Jeans tail).
    let w1Ratio: Double, w2Ratio: Double
    switch cls {
    case .qso: w1Ratio = rng.drawUniform(1.5, 3.0); w2Ratio = w1Ratio * rng.drawUniform(1.1, 1.6)
    case .galaxy: w1Ratio = rng.drawUniform(0.8, 1.6); w2Ratio = w1Ratio * rng.drawUniform(0.5, 0.8)
    case .star: w1Ratio = rng.drawUniform(0.2, 0.5); w2Ratio = w1Ratio * 0.5
    }
    let total = (g: fiber.g / aperture, r: fiber.r / aperture, z: fiber.z / aperture)

    // Targeting bits.
    var desiTarget: Int64
    var mws: Int64 = 0
    var priority: Int64
    var numObs: Int64
    switch cls {
    case .qso:
        desiTarget = SimDesiMask.qso
        if rng.drawUnit() < 0.08 { desiTarget |= rng.drawUnit() < 0.5 ? SimDesiMask.lrg : SimDesiMask.elg }
        priority = 3400; numObs = 4
    case .galaxy:
        switch target.subtype {
        case "LRG": desiTarget = SimDesiMask.lrg; priority = 3200; numObs = 2
        case "ELG": desiTarget = SimDesiMask.elg; priority = 3000; numObs = 2
        default: desiTarget = SimDesiMask.qso; priority = 3400; numObs = 4  // a QSO-target contaminant
        }
    case .star:
        if rng.drawUnit() < 0.6 { desiTarget = SimDesiMask.qso; priority = 3400; numObs = 4 }
        else { desiTarget = SimDesiMask.mwsAny; mws = 1; priority = 1400; numObs = 1 }
    }

    // Main survey, DR1: 2021 May 14 (MJD 59348) – 2022 June 13 (MJD 59743).
    let mjdMin = rng.drawUniform(59348, 59743 - 30)
    let mjdMax = target.exposures > 1 ? min(mjdMin + rng.drawUniform(1, 300), 59743.5) : mjdMin + 0.01
    let goodPixels = zip(observation.ivar, observation.mask).filter { $0.0 > 0 && $0.1 == 0 }.count
    let redrock = MockRedrock.run(target, snr: observation.snr, goodPixels: goodPixels, using: &rng)

    // QSO catalog: the redshift after the afterburners (true z within the
    // redrock error) and the BAL finder's results. The finder needs the CIV
    // trough region inside DESI's range: 1.57 < z < 5.6.
    var catalogZ = 0.0, balProb = 0.0, bi = 0.0, ai = 0.0
    if cls == .qso {
        catalogZ = target.redshift + rng.drawNormal(mean: 0, sd: 0.0004 * (1 + target.redshift))
        let finderRuns = target.redshift > 1.57 && target.redshift < 5.6
        if case .bal = target.anomaly, finderRuns {
            (bi, ai) = target.anomaly!.civIndices
            balProb = rng.drawUnit() < 0.85 ? rng.drawUniform(0.6, 1.0) : rng.drawUniform(0.0, 0.5)
        } else if finderRuns && rng.drawUnit() < 0.05 {
            balProb = rng.drawUniform(0.0, 0.4)  // spurious low probabilities
        }
    }

    let ebv = 0.03 * rng.drawLogNormalDex(0.25)
    let pm = cls == .star ? (rng.drawNormal(mean: 0, sd: 8), rng.drawNormal(mean: 0, sd: 8)) : (0.0, 0.0)
    let exposureTime = Double(target.exposures) * DESIInstrument.exposureSeconds * rng.drawUniform(0.85, 1.15)
    let fiberOffset = (rng.drawNormal(mean: 0, sd: 1.5e-5), rng.drawNormal(mean: 0, sd: 1.5e-5))
    let subpriority = rng.drawUnit()

    let record = SimulatedTarget(
        targetID: targetID, healpix: healpix, ra: pos.ra, dec: pos.dec, release: release,
        brickID: brick.id, brickName: brick.name, objID: objID,
        target: target, snr: observation.snr,
        fiberFlux: fiber,
        totalFlux: (total.g, total.r, total.z, total.z * w1Ratio, total.z * w2Ratio),
        ebv: ebv, morphType: morph, desiTarget: desiTarget, mwsTarget: mws, priority: priority,
        numObs: numObs, subpriority: subpriority, pm: pm, exposureTime: exposureTime,
        mjd: (mjdMin, mjdMax, 0.5 * (mjdMin + mjdMax)), fiberOffset: fiberOffset,
        redrock: redrock, catalogZ: catalogZ, balProb: balProb, biCIV: bi, aiCIV: ai)
    guard let plan = repeatPlan else { return (record, observation, nil) }

    // The repeat: one night, `delayDays` after the first epoch's last exposure.
    // Both states are relative to the quasar's model spectrum.
    let state = plan.repeatState
    let repeatFlux = EpochVariation.flux(target, emitted: shapes.emitted, observed: shapes.observed, amplitude: amplitude,
                                         state: state)
    let again = DESIInstrument.observe(flux: repeatFlux, exposures: target.exposures, using: &epochRNG)
    var second = record
    let night = mjdMax + plan.delayDays
    second.mjd = (night, night + 0.01, night + 0.005)
    second.snr = again.snr
    var seen = target
    if let star = state.star {
        seen.mockClass = .star
        seen.redshift = 0
        seen.subtype = "K"
        seen.star = star
    }
    let good = zip(again.ivar, again.mask).filter { $0.0 > 0 && $0.1 == 0 }.count
    second.redrock = MockRedrock.run(seen, snr: again.snr, goodPixels: good, using: &epochRNG)
    return (record, observation, SimulatedRepeat(record: second, observation: again, plan: plan,
                                                 firstMJD: 0.5 * (mjdMin + mjdMax), firstSNR: observation.snr))
}
