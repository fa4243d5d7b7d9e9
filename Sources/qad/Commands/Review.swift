import ArgumentParser
import Foundation
import QADReview
import QADStore

/// `qad review`: the browser UI for classifying candidates.
struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review candidates in the browser (serves 127.0.0.1 by default).",
        subcommands: [Serve.self, AddReviewer.self, RemoveReviewer.self, Reviewers.self],
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
        @Option(name: .customLong("as"), help: ArgumentHelp(
            "The reviewer the printed address signs in (default: this store's local reviewer, else \"local\").",
            discussion: "Never a name given to add-reviewer: that would take the other reviewer over.", valueName: "name"))
        var localName: String?
        @Flag(name: .long, help: "Mark the session cookie Secure: serve behind a TLS proxy (https://).")
        var secureCookies = false
        @Option(name: .long, help: ArgumentHelp("Folder of redrock's rrtemplate-*.fits, for the redrock model on the page.",
                                                valueName: "dir"))
        var redrockTemplates: String?
        @Option(name: .long, help: "Hours a sign-in lasts (1–720).")
        var sessionHours = 168.0

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
            guard sessionHours.isFinite, (1...720).contains(sessionHours) else {
                throw ValidationError("--session-hours must be from 1 to 720")
            }
            try common.requireExistingStore(hint: ": run qad ingest, train, infer and score first")
        }

        func run() async throws {
            let project = try common.openProject()
            var configuration = ReviewConfiguration(project: project, model: model, host: host, port: port)
            configuration.secureCookies = secureCookies
            configuration.sessionLifetime = sessionHours * 3600
            if let redrockTemplates { configuration.redrockTemplates = redrockTemplates }
            try await ReviewServer.run(configuration, localUser: localName)
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
                (a new token for an existing reviewer replaces the old one and ends their open sessions; \
                only its SHA-256 is stored)
                """)
        }
    }

    struct RemoveReviewer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-reviewer",
            abstract: "End a reviewer's access: their token stops working and their open sessions end at once.",
            discussion: "Their labels stay in the log. add-reviewer NAME gives them a new token.")

        @Argument(help: "Reviewer name.")
        var name: String
        @OptionGroup var common: StoreOptions

        func validate() throws { try common.requireExistingStore(hint: "") }

        func run() throws {
            let project = try common.openProject()
            let r = try ReviewerTokens.remove(store: project.store, name: name)
            print("reviewer \(r.name) removed; their labels stay")
        }
    }

    struct Reviewers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reviewers", abstract: "List the reviewers of a store and whether each may sign in.")

        @OptionGroup var common: StoreOptions

        func validate() throws { try common.requireExistingStore(hint: "") }

        func run() throws {
            let project = try common.openProject()
            for r in try project.store.reviewers() {
                let state = r.removedAt != nil ? "removed" : r.isLocal ? "local (qad review serve --as \(r.name))" : "active"
                print("\(r.name)\t\(state)")
            }
        }
    }
}
