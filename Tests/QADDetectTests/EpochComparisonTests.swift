import Foundation
import QADCore
import QADDetect
import QADFormats
import QADTestSupport
import Testing

/// Repeat spectra of one object: synthetic pairs with known changes, the real
/// RM017 epochs checked against an independent NumPy/astropy measurement,
/// and the real pair whose re-observation the SDSS pipeline called a star.
@Suite struct EpochComparisonTests {
    /// A z = 0.3 quasar on SDSS's log-λ grid: a power law with broad MgII, Hβ
    /// and Hα, and Gaussian noise of the given S/N per pixel at the continuum.
    static func quasar(mjd: Double, level: Double = 1, tilt: Double = 0, hbeta: Double = 1, snr: Double = 20,
                       seed: UInt64) -> EpochSpectrum {
        var noise = NoiseSource(seed: seed)
        let z = 0.3
        let lambda = (0..<4500).map { pow(10, 3.53 + 1e-4 * Double($0)) }
        var flux: [Double] = [], ivar: [Double] = []
        for lam in lambda {
            let rest = lam / (1 + z)
            var f = 10 * pow(rest / 5000, -0.5)
            for (centre, height) in [(2798.75, 6.0), (4862.68, 8.0 * hbeta), (6564.61, 20.0)] {
                let width = centre * 2000 / 299_792.458
                f += height * exp(-0.5 * pow((rest - centre) / width, 2))
            }
            // The instrument's smooth shape and the quasar's level change.
            f *= level * (1 + tilt * (log(lam) - log(6000)))
            let sigma = 10 * level / snr
            flux.append(f + sigma * noise.normal())
            ivar.append(1 / (sigma * sigma))
        }
        return EpochSpectrum(name: "epoch-\(Int(mjd))", mjd: mjd, z: z, classification: "QSO", lambda: lambda,
                             flux: flux, ivar: ivar)
    }

    /// The store's per-line columns follow the lines the comparison measures.
    @Test func storedLinesAreTheComparedLines() {
        #expect(EpochLine.names == BroadLineWindow.standard.map(\.name))
        #expect(Set(EpochLine.stems).count == EpochLine.names.count)
    }

    @Test func anUnchangedQuasarShowsNoSignificantChange() {
        var worst = 0.0
        for seed in 0..<10 as Range<UInt64> {
            let d = EpochComparison.compare(Self.quasar(mjd: 55000, seed: 2 * seed),
                                            Self.quasar(mjd: 57000, level: 0.7, tilt: 0.4, seed: 2 * seed + 1))
            #expect(Set(d.lines.map(\.line)) == ["MgII", "Hβ", "Hα"])
            #expect(d.changingLook.isEmpty && d.classChange == nil && !d.redshiftConflict)
            // The level change is kept and measured (0.7 times the tilt where it is
            // read, at the continuum windows' centre); the tilt is calibrated away.
            let expected = 0.7 * (1 + 0.4 * (log(d.continuumRestLambda * 1.3) - log(6000)))
            #expect(abs(d.continuumRatio - expected) < max(0.005, 4 * d.continuumRatioError))
            worst = max(worst, d.lines.map { c in
                abs(c.later.equivalentWidth - c.earlier.equivalentWidth)
                    / (c.later.equivalentWidthError * c.later.equivalentWidthError
                       + c.earlier.equivalentWidthError * c.earlier.equivalentWidthError).squareRoot()
            }.max()!)
            #expect(abs(d.restFrameDays - 2000 / 1.3) < 1e-9)
        }
        // Equivalent widths do not change with the level or the tilt: within 4σ in all 30 lines.
        #expect(worst < 4)
    }

    @Test func aVanishingBroadHBetaIsFlaggedInTimeOrder() throws {
        let bright = Self.quasar(mjd: 55000, seed: 1), faded = Self.quasar(mjd: 58000, hbeta: 0.1, seed: 2)
        // Given in either order, the comparison runs forward in time.
        let d = EpochComparison.compare(faded, bright)
        #expect(d.earlier == "epoch-55000")
        let hb = try #require(d.lines.first { $0.line == "Hβ" })
        #expect(hb.significance < -10 && abs(hb.ratio - 0.1) < 0.05)
        #expect(d.changingLook == [ChangingLook(line: "Hβ", direction: .vanished)])
        #expect(d.reasons == ["Hβ broad vanished"])
        // The difference peaks at Hβ.
        #expect(abs(d.localRestLambda - 4862.68) < 60 && d.localSignificance < -10)
        // Backwards in time the same line emerges.
        var early = faded, late = bright
        early.mjd = 50000
        late.mjd = 60000
        #expect(EpochComparison.compare(early, late).changingLook == [ChangingLook(line: "Hβ", direction: .emerged)])
    }

    @Test func lowSignalLinesAreNotFlagged() {
        // At S/N 0.5 per pixel, no line change reaches the criterion by chance.
        var flagged = 0
        for seed in 0..<20 as Range<UInt64> {
            let d = EpochComparison.compare(Self.quasar(mjd: 55000, snr: 0.5, seed: 100 + seed),
                                            Self.quasar(mjd: 56000, snr: 0.5, seed: 200 + seed))
            flagged += d.changingLook.count
        }
        #expect(flagged == 0)
    }

    @Test func spectraThatDoNotOverlapMeasureNothing() {
        let a = Self.quasar(mjd: 1, seed: 1)
        var b = Self.quasar(mjd: 2, seed: 2)
        b.lambda = b.lambda.map { $0 + 20_000 }
        let d = EpochComparison.compare(a, b)
        #expect(d.lines.isEmpty && d.continuumWindowsUsed == 0 && d.changingLook.isEmpty)
    }

    /// 3655-55240-0370 is a z = 2.71 quasar; its eBOSS re-observation
    /// 9367-57758-0500 was classified STAR at z ≈ 0.
    @Test func theRealReobservationCalledAStarIsFlagged() throws {
        let qso = EpochSpectrum(try SDSSSpecFile(path: sharedData("sdss/picca/3655/spec-3655-55240-0370.fits")))
        let star = EpochSpectrum(try SDSSSpecFile(path: sharedData("sdss/picca/9367/spec-9367-57758-0500.fits")))
        let d = EpochComparison.compare(star, qso)
        #expect(d.earlier == "spec-3655-55240-0370" && abs(d.z - 2.705) < 0.001)
        #expect(d.classChange == "QSO → STAR" && d.redshiftConflict)
        #expect(d.reasons.contains("class changed QSO → STAR") && d.reasons.contains("redshifts disagree"))
        // The same quasar's lines are there in both: the pipeline's class, not the object, changed.
        #expect(d.lines.contains { $0.line == "CIV" } && d.changingLook.isEmpty)
        // The command says so too.
        let r = try run(qadExecutable(), ["epochs", sharedData("sdss/picca/9367/spec-9367-57758-0500.fits"),
                                          sharedData("sdss/picca/3655/spec-3655-55240-0370.fits")])
        #expect(r.status == 0 && r.output.contains("flags: class changed QSO → STAR; redshifts disagree"), "\(r.output)")
    }

    /// Spectra of different objects, one spectrum, a broken file: refused with the reason.
    @Test func theCommandRefusesWhatIsNotRepeatSpectraOfOneObject() throws {
        let rm = sharedData("sdss/rm017/spec-1325-52762-0133.fits")
        let other = sharedData("sdss/picca/3655/spec-3655-55240-0370.fits")
        let apart = try run(qadExecutable(), ["epochs", rm, other])
        #expect(apart.status != 0 && apart.output.contains("not repeat observations of one object"), "\(apart.output)")
        let one = try run(qadExecutable(), ["epochs", rm])
        #expect(one.status != 0 && one.output.contains("at least two spectra"))
        let broken = temporaryPath("spec-1-51000-1.fits")
        try Data(try Data(contentsOf: URL(fileURLWithPath: rm)).prefix(5000)).write(to: URL(fileURLWithPath: broken))
        let truncated = try run(qadExecutable(), ["epochs", rm, broken])
        #expect(truncated.status != 0 && truncated.output.contains(broken), "\(truncated.output)")
    }

    /// The 80 picca spectra hold 11 objects observed 2–3 times: the command
    /// finds the same groups as astropy's search_around_sky (1″, friends of
    /// friends), and flags the re-observation called a star.
    @Test(.needs(.python)) func piccaRepeatsAreFoundAsAstropyFindsThem() throws {
        let python = try requirePython()
        let root = sharedData("sdss/picca")
        var files: [String] = []
        for plate in try FileManager.default.contentsOfDirectory(atPath: root) where !plate.contains(".") {
            files += try FileManager.default.contentsOfDirectory(atPath: root + "/" + plate)
                .filter { $0.hasPrefix("spec-") }.map { root + "/" + plate + "/" + $0 }
        }
        #expect(files.count == 80)
        let r = try run(qadExecutable(), ["epochs", "--format", "json"] + files)
        #expect(r.status == 0, "\(r.output.prefix(2000))")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [[String: Any]])
        let ours = Set(objects.map { Set($0["spectra"] as! [String]) })
        #expect(ours.count == 11)
        let script = """
            import sys, json
            import astropy.units as u
            from astropy.coordinates import SkyCoord, search_around_sky
            from astropy.io import fits
            names, ra, dec = [], [], []
            for f in sys.argv[1:]:
                s = fits.getdata(f, 2)
                names.append(f.rsplit('/', 1)[1][:-5]); ra.append(s['PLUG_RA'][0]); dec.append(s['PLUG_DEC'][0])
            c = SkyCoord(ra * u.deg, dec * u.deg)
            i, j, _, _ = search_around_sky(c, c, 1 * u.arcsec)
            parent = list(range(len(names)))
            def root(k):
                while parent[k] != k: k = parent[k]
                return k
            for a, b in zip(i, j): parent[root(a)] = root(b)
            groups = {}
            for k in range(len(names)): groups.setdefault(root(k), []).append(names[k])
            print(json.dumps([g for g in groups.values() if len(g) > 1]))
            """
        let path = temporaryPath("picca_groups.py")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let peer = try run(python, [path] + files)
        #expect(peer.status == 0, "\(peer.output)")
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(peer.output.utf8)) as? [[String]])
        #expect(ours == Set(theirs.map(Set.init)))
        // The quasar whose re-observation was called a star.
        let star = try #require(objects.first { ($0["spectra"] as! [String]).contains("spec-9367-57758-0500") })
        let pairs = try #require(star["pairs"] as? [[String: Any]])
        #expect(pairs.contains { ($0["class_change"] as? String) == "QSO → STAR" && ($0["redshift_conflict"] as? Bool) == true })
    }

    /// RM017's epochs, each against the first: every broad-line change and the
    /// continuum level agree with tools/epoch_compare.py (NumPy, astropy).
    @Test(.needs(.python)) func rm017AgreesWithNumPy() throws {
        let python = try requirePython()
        let folder = sharedData("sdss/rm017")
        let epochs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".fits") }
            .map { (file: folder + "/" + $0, epoch: EpochSpectrum(try SDSSSpecFile(path: folder + "/" + $0))) }
            .sorted { $0.epoch.mjd < $1.epoch.mjd }
        #expect(epochs.count == 12)
        let first = epochs[0]
        var compared = 0
        for (file, epoch) in epochs.dropFirst() {
            let d = EpochComparison.compare(first.epoch, epoch)
            let r = try run(python, [packageRoot.appendingPathComponent("tools/epoch_compare.py").path, first.file, file])
            #expect(r.status == 0, "\(r.output)")
            let peer = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
            let ratio = try #require(peer["continuum_ratio"] as? Double)
            #expect(abs(d.continuumRatio - ratio) < 1e-6 * ratio, "\(epoch.name): continuum \(d.continuumRatio) vs \(ratio)")
            let lines = try #require(peer["lines"] as? [String: [String: [String: Double]]])
            #expect(Set(lines.keys) == Set(d.lines.map(\.line)), "\(epoch.name)")
            for c in d.lines {
                let p = try #require(lines[c.line])
                let change = p["later"]!["flux"]! - p["earlier"]!["flux"]!
                #expect(abs(c.fluxChange - change) <= 1e-6 * max(1, abs(change)), "\(epoch.name) \(c.line)")
                #expect(abs(c.later.fluxError - p["later"]!["error"]!) <= 1e-6 * c.later.fluxError)
                #expect(abs(c.later.equivalentWidth - p["later"]!["ew"]!) <= 1e-6 * max(1, abs(c.later.equivalentWidth)))
            }
            compared += 1
        }
        #expect(compared == 11)
    }
}
