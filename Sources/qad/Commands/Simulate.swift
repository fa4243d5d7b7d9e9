import ArgumentParser

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a DESI-format mock survey.")
    func run() async throws { throw ValidationError("not built yet") }
}
