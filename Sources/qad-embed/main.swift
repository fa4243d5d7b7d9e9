import Foundation

// Build tool: writes a Swift file holding the review app's static files as
// string literals, so the `qad` binary carries its own web assets (a copied
// binary is complete). Usage: qad-embed OUTPUT.swift FILE...
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first, arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: qad-embed OUTPUT.swift FILE...\n".utf8))
    exit(2)
}
var swift = """
    // Generated at build time by qad-embed from Sources/QADReview/Static; do not edit.
    enum EmbeddedStatic {
        static let files: [String: String] = [

    """
for path in arguments.dropFirst().sorted() {
    let name = URL(fileURLWithPath: path).lastPathComponent
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("qad-embed: \(path) is not readable UTF-8 text\n".utf8))
        exit(1)
    }
    // A raw string whose delimiter the text does not contain: no escaping needed.
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
    swift += "        \"\(name)\": \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes),\n"
}
swift += "    ]\n}\n"
do {
    try swift.write(toFile: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("qad-embed: cannot write \(output): \(error)\n".utf8))
    exit(1)
}
