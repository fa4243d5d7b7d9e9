import Foundation
import QADCore
import QADSpectra

/// A second observation of a simulated quasar (`qad simulate --epochs`): its
/// kind, which epoch carries the change, and both epochs' states
/// (`EpochVariation`). Drawn from a stream of its own, so the first epoch of
/// a quasar whose change is in the repeat is the spectrum a run without
/// `--epochs` writes.
struct RepeatPlan: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        /// Ordinary variability only.
        case ordinary = "ORDINARY"
        /// Broad lines fade to under a third (with the continuum) in the repeat.
        case changingLookVanish = "CL_VANISH"
        /// The first epoch is the faint state; the lines are back in the repeat.
        case changingLookEmerge = "CL_EMERGE"
        /// A broad absorption trough appears in the repeat.
        case balEmerge = "BAL_EMERGE"
        /// The first epoch has a trough the repeat has lost.
        case balVanish = "BAL_VANISH"
        /// The repeat is a star's spectrum, and redrock says STAR.
        case classChange = "CLASS_CHANGE"
    }

    var kind: Kind
    var first = EpochVariation.State()
    var repeatState = EpochVariation.State()
    /// Days after the first epoch's last exposure.
    var delayDays: Double
    /// ln continuum change of the ordinary variability (before any change).
    var lnDRW: Double
    var details: String

    var changesFirst: Bool { kind == .changingLookEmerge || kind == .balVanish }

    /// The line groups a changing look fades at redshift `z`, and their name:
    /// the broad Balmer lines while Hβ is in DESI's range, else MgII; nil
    /// where neither is.
    static func fadingLines(z: Double) -> (name: String, groups: [Int])? {
        if 4862.68 * (1 + z) < 9700 {
            return ("Hb", ["Hd", "Hg", "Hb", "Ha"].map(QuasarModel.group))
        }
        if 2798.75 * (1 + z) > 3800 && 2798.75 * (1 + z) < 9700 { return ("MgII", [QuasarModel.group("MgII")]) }
        return nil
    }

    /// Whether `kind` can be seen in a quasar at `z` (its line or trough in range).
    static func eligible(_ kind: Kind, z: Double) -> Bool {
        switch kind {
        case .ordinary, .classChange: return true
        case .changingLookVanish, .changingLookEmerge: return fadingLines(z: z) != nil
        case .balEmerge, .balVanish: return 1549.06 * (1 + z) > 3800 * (1 + 25_000 / 299_792.458)
        }
    }

    /// nil when the quasar is not observed again. `epochChangeFraction` of
    /// the quasars get a change, drawn evenly among the kinds their redshift
    /// lets DESI see.
    static func draw(target: MockTarget, config: SimulationConfig, using rng: inout Xoshiro256StarStar) -> RepeatPlan? {
        guard target.mockClass == .qso, rng.drawUnit() < config.epochFraction else { return nil }
        let z = target.redshift
        var kind = Kind.ordinary
        if rng.drawUnit() < config.epochChangeFraction / max(config.epochFraction, 1e-12) {
            let possible = Kind.allCases.filter { $0 != .ordinary && eligible($0, z: z) }
            kind = possible[rng.drawIndex(possible.count)]
        }
        // Log-uniform delay, 30 days to 6 years.
        let delay = exp(rng.drawUniform(log(30), log(2200)))
        let lnDRW = rng.drawNormal(mean: 0, sd: EpochVariation.sigma(restFrameDays: delay / (1 + z)))
        var plan = RepeatPlan(kind: kind, delayDays: delay, lnDRW: lnDRW, details: "")
        plan.repeatState.lnContinuum = lnDRW
        plan.repeatState.grey = exp(rng.drawNormal(mean: 0, sd: 0.05))
        plan.repeatState.tiltPer1000 = rng.drawNormal(mean: 0, sd: 0.02)
        switch kind {
        case .ordinary:
            break
        case .changingLookVanish, .changingLookEmerge:
            let (name, groups) = fadingLines(z: z)!
            let factor = rng.drawUniform(0.03, 0.25)
            let dim = log(rng.drawUniform(0.3, 0.7))
            if kind == .changingLookVanish {
                plan.repeatState.fadedGroups = groups
                plan.repeatState.fadedFactor = factor
                plan.repeatState.lnContinuum += dim
            } else {
                plan.first.fadedGroups = groups
                plan.first.fadedFactor = factor
                plan.first.lnContinuum = dim
            }
            plan.details = String(format: "line=%@ faint=%.3f continuum=%.3f", name, factor, exp(dim))
        case .balEmerge, .balVanish:
            let vMin = rng.drawUniform(1000, 15_000)
            let width = rng.drawUniform(2000, min(20_000, 29_000 - vMin))
            let trough = QuasarAnomaly.bal(vMinKms: vMin, vMaxKms: vMin + width, depth: rng.drawUniform(0.3, 0.9))
            if kind == .balEmerge { plan.repeatState.trough = trough } else { plan.first.trough = trough }
            plan.details = trough.parameterDescription
        case .classChange:
            let star = StarParameters.draw(using: &rng)
            plan.repeatState.star = star
            plan.details = String(format: "teff=%.0f", star.temperature)
        }
        return plan
    }
}

/// One quasar's repeat, as written to the repeat file and the epoch truth table.
struct SimulatedRepeat: Sendable {
    var record: SimulatedTarget
    var observation: DESIInstrument.Observation
    var plan: RepeatPlan
    var firstMJD: Double
    var firstSNR: Double

    static let truthHeader = "TARGETID,KIND,CHANGED_EPOCH,DETAILS,Z,MJD_FIRST,MJD_REPEAT,DELAY_DAYS,LN_CONTINUUM,SNR_FIRST,SNR_REPEAT"

    var truthLine: String {
        let changed = plan.kind == .ordinary ? "" : (plan.changesFirst ? "FIRST" : "REPEAT")
        return [String(record.targetID), plan.kind.rawValue, changed, "\"\(plan.details)\"",
                String(format: "%.6f", record.target.redshift), String(format: "%.4f", firstMJD),
                String(format: "%.4f", record.mjd.mean), String(format: "%.2f", plan.delayDays),
                String(format: "%.5f", plan.lnDRW), String(format: "%.4f", firstSNR),
                String(format: "%.4f", observation.snr)].joined(separator: ",")
    }
}
