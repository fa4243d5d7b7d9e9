import Foundation
import Testing

/// The independent tools some checks run: Python with astropy/NumPy/pyarrow
/// (`QAD_PYTHON`), PostgreSQL 15 and headless Chromium. A check that needs one
/// carries `.needs(tool)`: outside CI, without the tool, Swift Testing reports
/// it as skipped, naming what is missing; with CI=true it always runs, and a
/// missing tool fails it.
public enum CheckTool: Sendable {
    case python, postgres, chromium

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Installed (for Python: named by QAD_PYTHON).
    public var isInstalled: Bool {
        let fm = FileManager.default
        switch self {
        case .python:
            return ProcessInfo.processInfo.environment["QAD_PYTHON"].map { !$0.isEmpty && fm.isExecutableFile(atPath: $0) } ?? false
        case .postgres:
            let binaries = ProcessInfo.processInfo.environment["QAD_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
            return fm.isExecutableFile(atPath: binaries + "/initdb")
        case .chromium:
            return ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].contains { fm.isExecutableFile(atPath: $0) }
                && ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { fm.isExecutableFile(atPath: $0) }
        }
    }

    /// Whether checks that need the tool run: always in CI, else when installed.
    public var runs: Bool { Self.inCI || isInstalled }

    var missing: Comment {
        switch self {
        case .python: return "needs Python with astropy, NumPy and pyarrow (QAD_PYTHON; scripts/test.sh sets it)"
        case .postgres: return "needs PostgreSQL 15 (Debian's postgresql-15; scripts/setup.sh installs it)"
        case .chromium: return "needs chromium and chromium-driver (scripts/setup.sh installs them)"
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the check only where `tool` is (always in CI).
    public static func needs(_ tool: CheckTool) -> Self {
        .enabled(if: tool.runs, tool.missing)
    }
}

/// The cross-check Python, for checks marked `.needs(.python)`.
public func requirePython() throws -> String {
    guard let python = try crossCheckPython() else { throw MissingCrossCheckTool() }
    return python
}
