import Foundation
import QADCore
import QADFormats
import QADPipeline
import QADSpectra
import QADTestSupport
import Testing

/// `qad inject`: anomalies go into copies of DESI files, a truth table records them.
@Suite struct InjectTests {
    static func survey() throws -> SimulationSummary {
        try simulateSurvey(SimulationConfig(outputDirectory: temporaryDirectory(), count: 900, anomalyFraction: 0,
                                            seed: 5, quasarFraction: 0.8, spectraPerFile: 300, workers: 2))
    }

    static func truth(_ path: String) throws -> [TargetID: [String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        var out: [TargetID: [String: String]] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            out[try #require(TargetID(f[0]))] = Dictionary(uniqueKeysWithValues: zip(header, f))
        }
        return out
    }

    /// The merged flux rows of one coadd, by TARGETID.
    static func flux(_ path: String) throws -> [TargetID: [Float]] {
        let file = try DESICoaddFile(path: path)
        let arms = try file.readArms(rows: Array(file.targetIDs.indices))
        return Dictionary(uniqueKeysWithValues: zip(file.targetIDs, arms.map { $0.flatMap(\.flux) }))
    }

    @Test func everyClassIsInjectedAndOnlyChosenRowsChange() throws {
        let sim = try Self.survey()
        let out = temporaryDirectory() + "/injected"
        var config = InjectionConfig(inputDirectory: sim.outputDirectory, outputDirectory: out)
        config.qsoCatalogs = [sim.catalogFile]
        config.fraction = 0.25
        config.seed = 9
        let summary = try injectSurvey(config)
        let truth = try Self.truth(summary.truthFile)
        #expect(truth.count == summary.injected)
        #expect(Set(truth.values.map { $0["ANOMALY"]! }) == Set(InjectedAnomaly.classNames))
        #expect(summary.quasars == sim.quasars)
        // Exactly a quarter of the quasars, not a binomial draw around it.
        #expect(summary.injected == Int((0.25 * Double(sim.quasars)).rounded()))
        // Classes take turns: no class has more than one more than another of those
        // possible at every redshift.
        let counts = Dictionary(grouping: truth.values, by: { $0["ANOMALY"]! }).mapValues(\.count)
        #expect(counts.values.max()! - counts["STAR"]! <= 2)

        var changed = 0, unchanged = 0
        for coadd in sim.coaddFiles {
            let before = try Self.flux(coadd)
            let after = try Self.flux(out + coadd.dropFirst(sim.outputDirectory.count))
            for (id, row) in before {
                let anomaly = truth[id]?["ANOMALY"]
                if anomaly == nil || anomaly == "WRONG_Z" {
                    #expect(after[id] == row, "TARGETID \(id) changed without an injected spectrum anomaly")
                    unchanged += 1
                } else {
                    #expect(after[id] != row, "TARGETID \(id): \(anomaly!) left the flux as it was")
                    changed += 1
                }
            }
        }
        #expect(changed > 100 && unchanged > 400)

        // WRONG_Z: the catalog and redrock carry the confused redshift.
        var catalog = QSOCatalog()
        try catalog.add(path: out + "/QSO_cat_sim.fits")
        var original = QSOCatalog()
        try original.add(path: sim.catalogFile)
        for (id, row) in truth where row["ANOMALY"] == "WRONG_Z" {
            let newZ = try #require(Double(row["Z_CATALOG"]!))
            #expect(abs(catalog[id]!.z - newZ) < 1e-5)
            #expect(abs(original[id]!.z - Double(row["Z"]!)!) < 1e-5)
            #expect(abs(newZ - original[id]!.z) > 0.1)
        }
        for (id, row) in truth where row["ANOMALY"] != "WRONG_Z" { #expect(catalog[id]!.z == original[id]!.z) }

        // The same seed gives the same truth table; the output folder is never overwritten.
        var again = config
        again.outputDirectory = temporaryDirectory() + "/again"
        let second = try injectSurvey(again)
        #expect(try String(contentsOfFile: second.truthFile, encoding: .utf8).replacingOccurrences(of: again.outputDirectory, with: "")
                == String(contentsOfFile: summary.truthFile, encoding: .utf8).replacingOccurrences(of: out, with: ""))
        #expect(throws: LocatedError.self) { try injectSurvey(config) }
        var bad = config
        bad.outputDirectory = temporaryDirectory() + "/bad"
        bad.classes = ["BAL_HI", "UFO"]
        #expect(throws: LocatedError.self) { try injectSurvey(bad) }
    }

    @Test func injectedFeaturesHaveTheirPhysicalShape() {
        // A flat spectrum with unit noise level: each anomaly's imprint is checked on it.
        let wave = (0..<3000).map { 3600 + Double($0) * 2 }
        func arms() -> [ArmSpectrum] {
            [ArmSpectrum(name: "B", wavelength: Array(wave[..<1200]), flux: [Float](repeating: 10, count: 1200),
                         ivar: [Float](repeating: 1, count: 1200), mask: [Int64](repeating: 0, count: 1200)),
             ArmSpectrum(name: "Z", wavelength: Array(wave[1200...]), flux: [Float](repeating: 10, count: 1800),
                         ivar: [Float](repeating: 1, count: 1800), mask: [Int64](repeating: 0, count: 1800))]
        }
        func flux(_ a: InjectedAnomaly, z: Double = 2) -> [Float] {
            var s = arms()
            AnomalyInjector.apply(a, to: &s, z: z)
            return s.flatMap(\.flux)
        }
        func at(_ f: [Float], _ λ: Double) -> Float { f[Int((λ - 3600) / 2)] }
        // A CIV trough at 5000–10000 km/s: rest 1498–1523 Å → observed ×3.
        let bal = flux(.hiBAL(vMinKms: 5000, vMaxKms: 10000, depth: 0.8), z: 2)
        #expect(at(bal, 1510 * 3) < 4 && abs(at(bal, 1700 * 3) - 10) < 1e-4)
        let dead = flux(.deadSegment(startÅ: 5000, widthÅ: 100))
        #expect(abs(at(dead, 5050)) < 1e-4 && at(dead, 4900) == 10)
        let step = flux(.armStep(arm: "Z", factor: 1.3))
        #expect(abs(at(step, 8000) - 13) < 1e-3 && at(step, 4000) == 10)
        let tilt = flux(.calibrationTilt(slope: 0.1))
        #expect(abs(at(tilt, 7500) - 11) < 1e-3 && abs(at(tilt, 5500) - 9) < 1e-3)
        let sky = flux(.skyResidual(lines: [5578.9], amplitude: 8))
        #expect([5576.0, 5578, 5580, 5582].map { at(sky, $0) }.max()! > 15 && at(sky, 5600) == 10)
        let red = flux(.reddening(ebv: 0.3), z: 1)
        #expect(at(red, 4000) < at(red, 9000))
        let star = flux(.star(StarParameters(temperature: 4000, radialVelocityKms: 0)))
        #expect(at(star, 4000) < at(star, 8000))  // a cool star is red
        #expect(flux(.wrongRedshift(trueLine: "CIV", assumedLine: "MgII", newZ: 0.66)) == arms().flatMap(\.flux))
    }
}
