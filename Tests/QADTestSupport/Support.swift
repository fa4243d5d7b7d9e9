import Foundation

/// The package root, from this file's location (Tests/QADTestSupport/Support.swift).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A file under ../shared/data beside the checkout. Real data must be there in CI.
public func sharedData(_ relative: String) -> String {
    packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/\(relative)").path
}

/// One folder per test process holds every test's folder; it is removed when
/// the process exits (a suite run writes gigabytes of surveys and caches).
private let testRoot = FileManager.default.temporaryDirectory
    .appendingPathComponent("qad-tests-\(getpid())-\(UUID().uuidString.prefix(8))").path
private let testRootRemovedAtExit: Void = {
    try! FileManager.default.createDirectory(atPath: testRoot, withIntermediateDirectories: true)
    // Readable by the postgres user, who runs the throwaway cluster inside it.
    _ = chmod(testRoot, 0o755)
    atexit { try? FileManager.default.removeItem(atPath: testRoot) }
}()

/// A fresh temporary folder.
public func temporaryDirectory() -> String {
    _ = testRootRemovedAtExit
    // Short names: PostgreSQL's socket path inside one must stay under 108 bytes.
    let dir = testRoot + "/" + UUID().uuidString.prefix(12)
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A path in a fresh temporary folder.
public func temporaryPath(_ name: String) -> String {
    temporaryDirectory() + "/" + name
}

public struct MissingCrossCheckTool: Error, CustomStringConvertible {
    public var description: String {
        "CI=true but QAD_PYTHON is not set: the cross-checks against astropy/NumPy must run in CI"
    }
}

/// The Python with astropy and NumPy that cross-checks use (QAD_PYTHON, set by
/// scripts/test.sh). Outside CI a missing interpreter skips the check; in CI
/// (CI=true) it is an error, so a check can never be skipped silently there.
public func crossCheckPython() throws -> String? {
    if let p = ProcessInfo.processInfo.environment["QAD_PYTHON"], !p.isEmpty { return p }
    if ProcessInfo.processInfo.environment["CI"] == "true" { throw MissingCrossCheckTool() }
    return nil
}

/// The `qad` executable built beside the test bundle (`swift build` first).
public func qadExecutable() -> String {
    if let p = ProcessInfo.processInfo.environment["QAD_BIN"], !p.isEmpty { return p }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("qad").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/qad").path
}

/// Runs a command, returning its exit status and combined output.
@discardableResult
public func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
