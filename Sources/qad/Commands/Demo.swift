import ArgumentParser

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Simulate a small survey and run every stage.")
    func run() async throws { throw ValidationError("not built yet") }
}
