import Foundation
import QADCore
import QADFormats
import QADSpectra

/// What `qad inject` is asked to do.
public struct InjectionConfig: Sendable {
    /// A folder of DESI coadd + redrock files (as `qad simulate` or the DESI archive lays them out).
    public var inputDirectory: String
    /// Where the copy with injected anomalies goes (must not exist).
    public var outputDirectory: String
    /// QSO catalogs defining the quasar sample (their Z changes for WRONG_Z).
    public var qsoCatalogs: [String] = []
    /// Without a catalog: accepted redrock SPECTYPEs, as `qad ingest --spectype`.
    public var spectypes: Set<String> = ["QSO"]
    /// Without a catalog: accept any ZWARN, as `qad ingest --any-zwarn`.
    public var anyZwarn = false
    /// Fraction of the quasar sample that receives an anomaly.
    public var fraction = 0.01
    /// Classes drawn from (uniformly); default all of `InjectedAnomaly.classNames`.
    public var classes = InjectedAnomaly.classNames
    public var seed: UInt64 = 1
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    public init(inputDirectory: String, outputDirectory: String) {
        self.inputDirectory = inputDirectory
        self.outputDirectory = outputDirectory
    }
}

public struct InjectionSummary: Sendable {
    public var quasars = 0
    public var injected = 0
    public var byClass: [String: Int] = [:]
    public var truthFile = ""
    public var files = 0
}


/// One quasar chosen for injection.
struct InjectionTarget: Sendable {
    var targetID: TargetID
    var row: Int
    var z: Double
    var anomaly: InjectedAnomaly
}

/// Copies a DESI-format survey and injects anomalies into a seeded random
/// choice of exactly round(fraction × quasars) of its quasars, writing the
/// truth table `OUT/injected.csv` (TARGETID, ANOMALY, ANOMALY_PARAMS, Z,
/// Z_CATALOG, FILE). Spectra change in the coadd files' FLUX images; WRONG_Z
/// changes the redrock and catalog Z.
public func injectSurvey(_ config: InjectionConfig) throws -> InjectionSummary {
    let fm = FileManager.default
    guard (0...1).contains(config.fraction) else {
        throw LocatedError("the injected fraction must be within 0…1, got \(config.fraction)")
    }
    let unknown = config.classes.filter { !InjectedAnomaly.classNames.contains($0) }
    guard unknown.isEmpty, !config.classes.isEmpty else {
        throw LocatedError("unknown anomaly classes \(unknown); known: \(InjectedAnomaly.classNames.joined(separator: ", "))")
    }
    guard !fm.fileExists(atPath: config.outputDirectory) else {
        throw LocatedError("\(config.outputDirectory): already exists; give a new output folder")
    }
    let input = URL(fileURLWithPath: config.inputDirectory).standardizedFileURL.path
    let coadds = try InputDiscovery.files(in: [input]).filter { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("coadd-") }
    guard !coadds.isEmpty else { throw LocatedError("\(input): no coadd-*.fits files") }
    if let gz = coadds.first(where: { $0.hasSuffix(".gz") }) {
        throw LocatedError("\(gz): compressed coadds cannot be changed in place; gunzip the survey first")
    }
    var catalog = QSOCatalog()
    for path in config.qsoCatalogs { try catalog.add(path: path) }

    try fm.copyItem(atPath: input, toPath: config.outputDirectory)
    let output = URL(fileURLWithPath: config.outputDirectory).standardizedFileURL.path
    func outputPath(_ inputPath: String) -> String { output + inputPath.dropFirst(input.count) }
    // Catalogs outside the survey folder are copied beside it, so the output is self-contained.
    var catalogCopies: [String] = []
    for path in config.qsoCatalogs {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        if full.hasPrefix(input + "/") {
            catalogCopies.append(outputPath(full))
        } else {
            let copy = output + "/" + URL(fileURLWithPath: full).lastPathComponent
            try fm.copyItem(atPath: full, toPath: copy)
            catalogCopies.append(copy)
        }
    }

    // The quasar sample, file by file in sorted file order, by ingest's own rule.
    let selection = SampleSelection(catalog: catalog, spectypes: config.spectypes, anyZwarn: config.anyZwarn)
    var sample: [(file: Int, row: Int, targetID: TargetID, z: Double)] = []
    for (f, coadd) in coadds.enumerated() {
        let file = try DESICoaddFile(path: coadd)
        let redrock = RedrockFile.companion(ofCoadd: coadd).map { try? RedrockFile.read($0).rows } ?? nil
        for (row, id) in file.targetIDs.enumerated() {
            let r = redrock?[id]
            guard let z = selection.membership(of: id, spectype: r?.spectype, zwarn: r?.zwarn, pipelineZ: r?.z)?.z,
                  z > 0 else { continue }
            sample.append((f, row, id, z))
        }
    }
    var summary = InjectionSummary()
    summary.quasars = sample.count

    // Exactly round(fraction × quasars) of them, drawn without replacement
    // from one seeded stream, so a 1 % survey holds 1 % anomalies and not a
    // binomial draw around it.
    var rng = Xoshiro256StarStar(seed: SplitMix64.derive(config.seed, 0x494E_4A45))  // "INJE"
    let wanted = Int((config.fraction * Double(sample.count)).rounded())
    var order = Array(sample.indices)
    for k in 0..<wanted {
        let j = k + rng.drawIndex(order.count - k)
        order.swapAt(k, j)
    }
    var chosenByFile: [Int: [InjectionTarget]] = [:]
    var nextClass = 0
    for i in order.prefix(wanted).sorted() {
        let q = sample[i]
        // Classes take turns, so every class gets its share; a class that
        // cannot show at this z passes its turn to the next.
        for k in 0..<config.classes.count {
            let name = config.classes[(nextClass + k) % config.classes.count]
            if let anomaly = InjectedAnomaly.draw(name, z: q.z, using: &rng) {
                chosenByFile[q.file, default: []].append(
                    InjectionTarget(targetID: q.targetID, row: q.row, z: q.z, anomaly: anomaly))
                nextClass = (nextClass + k + 1) % config.classes.count
                break
            }
        }
    }
    let plan = chosenByFile.keys.sorted().map { (coadd: coadds[$0], targets: chosenByFile[$0]!) }

    // Spectra change file by file in parallel: one FITS handle per task.
    let jobs = plan.map { (path: outputPath($0.coadd), targets: $0.targets) }
    let failures = parallelMap(jobs.count, threads: config.workers) { i -> String? in
        do {
            try injectFile(jobs[i].path, jobs[i].targets)
            return nil
        } catch {
            return "\(jobs[i].path): \(error)"
        }
    }
    if let first = failures.compactMap({ $0 }).first { throw LocatedError(first) }

    // Redshift confusions: the redrock Z and every catalog's Z.
    var newZ: [TargetID: Double] = [:]
    for (coadd, targets) in plan {
        let changes = targets.compactMap { t in t.anomaly.catalogRedshift.map { (t.targetID, $0) } }
        guard !changes.isEmpty else { continue }
        for (id, z) in changes { newZ[id] = z }
        if let redrock = RedrockFile.companion(ofCoadd: outputPath(coadd)) {
            try rewriteColumn(redrock, hdus: ["REDSHIFTS", "ZBEST"], column: "Z", values: Dictionary(uniqueKeysWithValues: changes))
        }
    }
    if !newZ.isEmpty {
        for path in catalogCopies { try rewriteColumn(path, hdus: ["QSO_CAT"], column: "Z", values: newZ) }
    }

    var text = "TARGETID,ANOMALY,ANOMALY_PARAMS,Z,Z_CATALOG,FILE\n"
    for (coadd, targets) in plan {
        for t in targets {
            let zCat = t.anomaly.catalogRedshift ?? t.z
            text += "\(t.targetID),\(t.anomaly.className),\(t.anomaly.parameterDescription),"
                + String(format: "%.6f,%.6f,", t.z, zCat) + outputPath(coadd) + "\n"
            summary.injected += 1
            summary.byClass[t.anomaly.className, default: 0] += 1
        }
    }
    summary.truthFile = output + "/injected.csv"
    try text.write(toFile: summary.truthFile, atomically: true, encoding: .utf8)
    summary.files = plan.count
    return summary
}

/// Rewrites the FLUX rows of the chosen targets of one (copied) coadd file.
func injectFile(_ path: String, _ targets: [InjectionTarget]) throws {
    // The read handle is gone before the file is opened for writing.
    let arms = try { try DESICoaddFile(path: path).readArms(rows: targets.map(\.row)) }()
    let fits = try FITSFile.open(path, writable: true)
    for (k, t) in targets.enumerated() {
        var spectrum = arms[k]
        AnomalyInjector.apply(t.anomaly, to: &spectrum, z: t.z)
        for arm in spectrum {
            try fits.moveTo(hdu: "\(arm.name)_FLUX")
            try fits.writeImageRow(t.row, width: arm.flux.count, arm.flux)
        }
    }
    try fits.close()
}

/// Sets `column` of the rows whose TARGETID is in `values`, in the first of `hdus` present.
func rewriteColumn(_ path: String, hdus: [String], column: String, values: [TargetID: Double]) throws {
    let fits = try FITSFile.open(path, writable: true)
    if let hdu = hdus.first(where: { fits.hasHDU($0) }) { try fits.moveTo(hdu: hdu) } else { try fits.moveTo(index: 1) }
    let ids = try fits.readColumn("TARGETID", as: Int64.self)
    for (row, id) in ids.enumerated() {
        if let v = values[id] { try fits.writeColumn(column, [v], firstRow: row) }
    }
    try fits.close()
}
