import Foundation
import QADReview
import QADStore

/// The last step of `qad demo`: serve the review UI on the demo store and
/// print the address that signs in, unless `--no-review` or the store holds
/// no scores yet (then it says how to get there).
func startDemoReview(project: ProjectStore, port: Int, skip: Bool, model: String = "vae") async throws {
    if skip { return }
    let scored = try project.store.scoreRun(model: model) != nil
    guard scored else {
        print("Review: the store has no scores of model \(model) yet; run `qad score --store \(project.location)`, "
              + "then `qad review --store \(project.location)`.")
        return
    }
    print("\nStarting the review UI (Ctrl-C stops it; --no-review skips this step):")
    try await ReviewServer.run(ReviewConfiguration(project: project, model: model, port: port))
}
