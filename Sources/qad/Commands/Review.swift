import ArgumentParser
import Foundation
import QADReview
import QADStore

/// `qad review`: the browser UI for classifying candidates.
struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review candidates in the browser (serves 127.0.0.1 by default).",
        subcommands: [Serve.self, AddReviewer.self],
        defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Start the review app and print the address that signs you in.")

        @OptionGroup var common: StoreOptions
        @Option(name: .long, help: "Address to bind; keep 127.0.0.1 unless others must connect (then put TLS in front).")
        var host = "127.0.0.1"
        @Option(name: .long, help: "Port (0 picks a free one).")
        var port = 8765
        @Option(name: .long, help: "Whose scores to review.")
        var model = "vae"

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
            try common.requireExistingStore(hint: ": run qad ingest, train, infer and score first")
        }

        func run() async throws {
            let project = try common.openProject()
            try await ReviewServer.run(ReviewConfiguration(project: project, model: model, host: host, port: port))
        }
    }

    struct AddReviewer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-reviewer",
            abstract: "Create a reviewer (or replace their token) and print their sign-in token.")

        @Argument(help: "Reviewer name, as shown in consensus.")
        var name: String
        @OptionGroup var common: StoreOptions
        @Option(name: .long, help: "Host and port of the running review app, for the printed address.")
        var address = "127.0.0.1:8765"

        func validate() throws {
            let n = name.trimmingCharacters(in: .whitespaces)
            guard !n.isEmpty, n.count <= 64 else { throw ValidationError("NAME must have 1 to 64 characters") }
            try common.requireExistingStore(hint: "")
        }

        func run() throws {
            let project = try common.openProject()
            let token = try ReviewerTokens.issue(store: project.store, name: name, isLocal: false)
            print("""
                reviewer \(name): token \(token)
                sign-in address: http://\(address)/login?token=\(token)
                (a new token for an existing reviewer replaces the old one; only its SHA-256 is stored)
                """)
        }
    }
}
