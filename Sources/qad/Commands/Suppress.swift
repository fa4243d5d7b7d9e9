import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADLabels
import QADPipeline
import QADStore

struct Suppress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hide a family of candidates from a reviewer's queue, list such suppressions, or undo one.",
        discussion: """
            A family is every candidate whose strongest localized residual sits where the chosen \
            candidate's does: in the observed frame (e.g. every residual at the 5577 Å sky line) or \
            the rest frame, within half that residual's window (at least 5 Å), and reaches the 90th \
            percentile of local_obs or local_rest. The reviewer's queue in qad review leaves the family \
            out; qad rank and qad similar do with --hide-suppressed. Undoing keeps the record.

              qad suppress --reviewer alice --like 39627028411975486 --frame obs
              qad suppress --list
              qad suppress --reviewer alice --undo 3
            """)

    @OptionGroup var common: StoreOptions

    @Option(name: .long, help: "Model whose scores define the family.")
    var model = "vae"

    @Option(name: .long, help: "The reviewer who suppresses or undoes (a name from qad review add-reviewer).")
    var reviewer: String?

    @Option(name: .long, help: "Suppress the family of this candidate (TARGETID).")
    var like: TargetID?

    @Option(name: .long, help: "Frame of the residual that defines the family: obs or rest.")
    var frame = FamilyWindow.Frame.observed

    @Option(name: .customLong("half-width"), help: "Half-width of the family's window (Å); default: half the residual's window, at least 5 Å.")
    var halfWidth: Double?

    @Option(name: .customLong("min-pct"), help: "Percentile of local_obs or local_rest a member's residual must reach.")
    var minPct = FamilyWindow.defaultPercentile

    @Flag(name: .long, help: "List the suppressions (of --reviewer, or everyone's).")
    var list = false

    @Option(name: .long, help: "Undo this suppression (its id, from --list).")
    var undo: Int64?

    func validate() throws {
        let actions = [like != nil, list, undo != nil].filter { $0 }.count
        guard actions == 1 else { throw ValidationError("give one of --like TARGETID, --list or --undo ID") }
        if (like != nil || undo != nil) && reviewer == nil { throw ValidationError("--like and --undo need --reviewer NAME") }
        if let halfWidth, !(halfWidth > 0) { throw ValidationError("--half-width must be positive") }
        guard (0...100).contains(minPct) else { throw ValidationError("--min-pct must be within 0–100") }
    }

    func run() async throws {
        let project = try common.openProject()
        let families = FamilySuppressions(store: project.store)
        if list {
            let names = Dictionary(uniqueKeysWithValues: try project.store.reviewers().compactMap { r in r.id.map { ($0, r.name) } })
            let id = try reviewer.map { try families.reviewerId(named: $0) }
            let all = try project.store.suppressions(reviewerId: id)
            if all.isEmpty { print("no suppressions") }
            for (s, members) in zip(all, try families.members(of: all.map(\.window), model: model)) {
                print(FamilySuppressions.describe(s, reviewer: names[s.reviewerId] ?? "?", members: members))
            }
            return
        }
        let reviewerId = try families.reviewerId(named: reviewer!)
        if let undo {
            guard let s = try project.store.withdrawSuppression(id: undo, reviewerId: reviewerId, at: Date().timeIntervalSince1970) else {
                throw LocatedError("\(reviewer!) has no active suppression \(undo) (qad suppress --list)")
            }
            print(FamilySuppressions.describe(s, reviewer: reviewer!, members: nil))
            return
        }
        let window = try families.family(of: like!, model: model, frame: frame, halfWidth: halfWidth, minimumPercentile: minPct)
        let s = try families.suppress(window, seed: like!, reviewerId: reviewerId)
        print(FamilySuppressions.describe(s, reviewer: reviewer!, members: try families.members(window, model: model)))
    }
}

extension FamilyWindow.Frame: ExpressibleByArgument {}
