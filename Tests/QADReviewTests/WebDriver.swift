import Foundation
import QADTestSupport

/// A minimal W3C WebDriver client for chromedriver: just what the browser
/// tests use (sessions, navigation, script, keys, screenshots).
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let process: Process
    let base: URL
    private let lock = NSLock()
    private var opened: [String] = []

    /// Starts chromedriver on a free port, or nil when it is not installed
    /// outside CI (in CI, CI=true, a missing driver is an error).
    static func start() throws -> WebDriver? {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let driver, let browser else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                throw Failure(description: "CI=true but chromium/chromium-driver are not installed (scripts/setup.sh installs them)")
            }
            return nil
        }
        return try WebDriver(driver: driver, browser: browser)
    }

    let browser: String

    private init(driver: String, browser: String) throws {
        self.browser = browser
        let port = Int.random(in: 20000...40000)
        process = Process()
        process.executableURL = URL(fileURLWithPath: driver)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        base = URL(string: "http://127.0.0.1:\(port)")!
    }

    deinit { stop() }

    /// chromedriver does not always exit on SIGTERM; SIGKILL ends it and the
    /// browsers it started exit when its pipe closes.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func waitUntilReady() async throws {
        var last = "no answer"
        for _ in 0..<100 {
            do {
                let status = try await request("GET", "/status")
                if (status["ready"] as? Bool) == true { return }
                last = "\(status)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw Failure(description: "chromedriver at \(base) did not become ready: \(last)")
    }

    /// A new headless browser with its own profile (so its own cookies).
    func newSession(windowSize: String = "1400,900") async throws -> Session {
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": browser,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                            "--window-size=\(windowSize)"]],
        ]]]
        let value = try await request("POST", "/session", caps)
        guard let id = value["sessionId"] as? String else { throw Failure(description: "no session id in \(value)") }
        lock.withLock { opened.append(id) }
        return Session(driver: self, id: id)
    }

    /// Closes every browser this driver opened. Tests call it before their
    /// server stops, also when they fail: a browser still loading a page would
    /// otherwise connect to a server that is shutting down.
    func whileOpen(_ body: () async throws -> Void) async throws {
        do { try await body() } catch {
            await closeAll()
            throw error
        }
        await closeAll()
    }

    func closeAll() async {
        let ids = lock.withLock { defer { opened = [] }; return opened }
        for id in ids { _ = try? await requestValue("DELETE", "/session/\(id)") }
    }

    @discardableResult
    func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let any = try await requestValue(method, path, body)
        return any as? [String: Any] ?? ["value": any as Any]
    }

    func requestValue(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let port = base.port!
        let (_, data) = try await Task.detached { try LoopbackHTTP.request(port: port, method: method, path: path, body: payload) }.value
        let json = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) as? [String: Any]
        let value = json?["value"]
        if let err = value as? [String: Any], let e = err["error"] as? String {
            throw Failure(description: "WebDriver \(method) \(path): \(e): \(err["message"] ?? "")")
        }
        return value
    }

    struct Session {
        let driver: WebDriver
        let id: String

        func go(_ url: String) async throws { try await driver.request("POST", "/session/\(id)/url", ["url": url]) }
        func refresh() async throws { try await driver.request("POST", "/session/\(id)/refresh", [:]) }

        func run(_ script: String) async throws -> Any? {
            try await driver.requestValue("POST", "/session/\(id)/execute/sync", ["script": script, "args": []])
        }

        /// Presses and releases one key on the focused page.
        func press(_ key: String) async throws {
            try await driver.request("POST", "/session/\(id)/actions", ["actions": [[
                "type": "key", "id": "keyboard",
                "actions": [["type": "keyDown", "value": key], ["type": "keyUp", "value": key]],
            ]]])
        }

        /// Types text as key presses into whatever has focus.
        func type(_ text: String) async throws {
            let keys = text.map { String($0) }.flatMap { [["type": "keyDown", "value": $0], ["type": "keyUp", "value": $0]] }
            try await driver.request("POST", "/session/\(id)/actions", ["actions": [["type": "key", "id": "keyboard", "actions": keys]]])
        }

        /// Clicks the first element matching a CSS selector, as a mouse would.
        func click(_ css: String) async throws {
            let found = try await driver.request("POST", "/session/\(id)/element", ["using": "css selector", "value": css])
            guard let element = found.values.first as? String ?? (found["value"] as? [String: Any])?.values.first as? String else {
                throw Failure(description: "no element \(css): \(found)")
            }
            try await driver.request("POST", "/session/\(id)/element/\(element)/click", [:])
        }

        /// Polls a script until it returns something truthy.
        func waitFor(_ what: String, _ script: String, seconds: Double = 15) async throws -> Any {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let v = try await run(script), !(v is NSNull), (v as? Bool) != false, (v as? String) != "" { return v }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            throw Failure(description: "timed out waiting for \(what)")
        }

        func screenshot(to path: String) async throws {
            guard let b64 = try await driver.requestValue("GET", "/session/\(id)/screenshot") as? String,
                  let data = Data(base64Encoded: b64) else { throw Failure(description: "no screenshot") }
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        }

        func close() async { _ = try? await driver.requestValue("DELETE", "/session/\(id)") }
    }
}

/// Where tests leave files for people to look at (screenshots).
func testArtifactPath(_ name: String) -> String {
    let dir = ProcessInfo.processInfo.environment["QAD_TEST_ARTIFACTS"]
        ?? packageRoot.appendingPathComponent(".build/test-artifacts").path
    return dir + "/" + name
}
