import Foundation
import PackagePlugin

/// Embeds the files of a target's `Static` folder in the target as Swift
/// string literals (`EmbeddedStatic.files`), rebuilt whenever one changes.
@main
struct EmbedStaticFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = target.directoryURL.appendingPathComponent("Static")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        let inputs = names.map { folder.appendingPathComponent($0) }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedStatic.swift")
        return [.buildCommand(displayName: "Embedding \(names.joined(separator: ", ")) in \(target.name)",
                              executable: try context.tool(named: "qad-embed").url,
                              arguments: [output.path] + inputs.map(\.path),
                              inputFiles: inputs, outputFiles: [output])]
    }
}
