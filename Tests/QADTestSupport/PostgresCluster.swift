import Foundation

/// A throwaway PostgreSQL 15 cluster for the tests: `initdb` in a temporary
/// folder, run as the `postgres` user when the tests run as root (CI), started
/// on loopback on a free port, stopped when the test process exits. One
/// cluster per test process; each test gets a database of its own, so suites
/// run in parallel without seeing each other's rows.
public final class PostgresCluster: @unchecked Sendable {
    // @unchecked: immutable after start; `nextDatabase` is under `lock`.
    public let port: Int
    public let dataDirectory: String
    public let socketDirectory: String
    let binaries: String
    let runAs: String?
    private let lock = NSLock()
    private var nextDatabase = 0

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The process's cluster, started on first use. nil when PostgreSQL is not
    /// installed and CI is not set (the caller skips); under CI=true a missing
    /// or failing PostgreSQL is an error, so these tests never skip there.
    public static func shared() throws -> PostgresCluster? {
        switch sharedResult {
        case .success(let cluster): return cluster
        case .failure(let error):
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
            return nil
        }
    }

    /// The process's cluster, for checks marked `.needs(.postgres)`.
    public static func required() throws -> PostgresCluster {
        try sharedResult.get()
    }

    private static let sharedResult: Result<PostgresCluster, Unavailable> = {
        do { return .success(try PostgresCluster()) } catch let e as Unavailable { return .failure(e) } catch {
            return .failure(Unavailable(description: "\(error)"))
        }
    }()

    private init() throws {
        let env = ProcessInfo.processInfo.environment
        binaries = env["QAD_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
        guard FileManager.default.isExecutableFile(atPath: binaries + "/initdb") else {
            throw Unavailable(description: "\(binaries)/initdb not found: install Debian's postgresql-15 (scripts/setup.sh does)")
        }
        runAs = getuid() == 0 ? "postgres" : nil  // initdb refuses to run as root
        let root = temporaryDirectory()
        dataDirectory = root + "/data"
        socketDirectory = root
        port = try Self.freePort()
        if runAs != nil {
            // The postgres user must own the folder and reach it through /tmp.
            _ = chmod(root, 0o777)
            try Self.check(run("/bin/chown", ["postgres", root]), "chown postgres \(root)")
        }
        try Self.check(command("initdb", ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]),
                       "initdb")
        let options = "-p \(port) -k \(socketDirectory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        // Not through Foundation's Process: the server pg_ctl leaves running
        // keeps Process from ever seeing the end (seen: waitUntilExit hangs).
        // posix_spawn + waitpid with every stream on /dev/null returns as bash does.
        let pgctl = (runAs.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? [])
            + [binaries + "/pg_ctl", "-D", dataDirectory, "-o", options, "-l", root + "/server.log", "-w", "start"]
        let status = try Self.spawnAndWait(pgctl)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: root + "/server.log", encoding: .utf8)) ?? ""
            throw Unavailable(description: "pg_ctl start failed (\(status)): \(log)")
        }
        PostgresCluster.stopAtExit = { [dataDirectory, binaries, runAs, root] in
            let arguments = ["-D", dataDirectory, "-m", "immediate", "stop"]
            if let user = runAs {
                _ = try? run("/usr/sbin/runuser", ["-u", user, "--", binaries + "/pg_ctl"] + arguments)
            } else {
                _ = try? run(binaries + "/pg_ctl", arguments)
            }
            try? FileManager.default.removeItem(atPath: root)
        }
        atexit { PostgresCluster.stopAtExit?() }
    }

    nonisolated(unsafe) private static var stopAtExit: (() -> Void)?

    /// A fresh, empty database; returns its URL.
    public func makeDatabase(prefix: String = "qad_test") throws -> String {
        let n = lock.withLock {
            nextDatabase += 1
            return nextDatabase
        }
        let name = "\(prefix)_\(getpid())_\(n)"
        try Self.check(command("createdb", ["-h", socketDirectory, "-p", "\(port)", "-U", "postgres", name]), "createdb \(name)")
        return url(database: name)
    }

    public func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs SQL with psql against `database` (for test fixtures such as an upstream table).
    public func psql(_ database: String, _ sql: String) throws -> String {
        let result = try command("psql", ["-h", socketDirectory, "-p", "\(port)", "-U", "postgres", "-d", database,
                                          "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
        try Self.check(result, "psql")
        return result.output
    }

    private func command(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        if let user = runAs {
            return try run("/usr/sbin/runuser", ["-u", user, "--", binaries + "/" + name] + arguments)
        }
        return try run(binaries + "/" + name, arguments)
    }

    private static func check(_ result: (status: Int32, output: String), _ what: String) throws {
        guard result.status == 0 else { throw Unavailable(description: "\(what) failed (\(result.status)): \(result.output)") }
    }

    /// Runs `argv` with stdin, stdout and stderr on /dev/null; returns its exit status.
    private static func spawnAndWait(_ argv: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard rc == 0 else { throw Unavailable(description: "cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    /// A TCP port nothing listens on now (the kernel picks it).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Unavailable(description: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
