import Foundation
import PostgresNIO
import QADCore

/// A fixed-size pool of connections for synchronous callers. A caller waits
/// for a free slot on its own thread (never on the executor that runs the
/// connections, which could otherwise starve the holders it waits for), then
/// its body runs on `BlockingBridge`'s executor with a connection of its own.
final class PostgresConnectionPool: Sendable {
    let url: PostgresURL
    let logger: Logger
    private let slots: DispatchSemaphore
    /// Connections not in use, and the id the next new one gets.
    private let state = Locked((idle: [PostgresConnection](), nextID: 0))

    init(url: PostgresURL, maxConnections: Int) {
        self.url = url
        slots = DispatchSemaphore(value: max(1, maxConnections))
        var logger = Logger(label: "qad.postgres")
        logger.logLevel = .critical  // errors reach the caller as LocatedError; stdout stays the command's
        self.logger = logger
    }

    /// Runs `body` with a connection no one else uses meanwhile. A connection
    /// that failed (closed by the server, broken socket) is dropped, not reused.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let reused = takeIdle()
        do {
            return try BlockingBridge.run { [self] in
                let connection: PostgresConnection
                if let reused { connection = reused } else { connection = try await connect() }
                do {
                    let value = try await body(connection)
                    giveBack(connection)
                    return value
                } catch {
                    if connection.isClosed { try? await connection.close() } else { giveBack(connection) }
                    throw error
                }
            }
        } catch {
            throw PostgresErrors.describe(error, url: url)
        }
    }

    /// Runs `body` inside BEGIN … COMMIT; any error rolls the whole transaction back.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        let logger = self.logger
        return try withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Closes every idle connection (the pool stays usable: new ones are opened on demand).
    func close() {
        let connections: [PostgresConnection] = state.withLock { s in
            defer { s.idle = [] }
            return s.idle
        }
        guard !connections.isEmpty else { return }
        _ = try? BlockingBridge.run {
            for c in connections { try? await c.close() }
        }
    }

    private func takeIdle() -> PostgresConnection? {
        state.withLock { $0.idle.popLast() }
    }

    private func giveBack(_ connection: PostgresConnection) {
        state.withLock { $0.idle.append(connection) }
    }

    private func connect() async throws -> PostgresConnection {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        return try await PostgresConnection.connect(configuration: try configuration(), id: id, logger: logger)
    }

    private func configuration() throws -> PostgresConnection.Configuration {
        if let dir = url.socketDirectory {
            return PostgresConnection.Configuration(unixSocketPath: "\(dir)/.s.PGSQL.\(url.port)", username: url.user,
                                                    password: url.password, database: url.database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch url.tls {
        case .disable:
            tls = .disable
        case .prefer:
            // As libpq's sslmode=prefer: encrypt when the server offers it, verify nothing.
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .prefer(try NIOSSLContext(configuration: config))
        case .require:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                password: url.password, database: url.database, tls: tls)
    }
}

enum PostgresErrors {
    /// PSQLError hides the server's message from `description` (it may hold
    /// data); qad's errors must say what went wrong, so it is spelled out here.
    static func describe(_ error: any Error, url: PostgresURL) -> any Error {
        if error is LocatedError { return error }
        if let e = error as? PSQLError {
            var parts = ["\(url)"]
            if let message = e.serverInfo?[.message] {
                parts.append(message)
                if let detail = e.serverInfo?[.detail] { parts.append(detail) }
                if let state = e.serverInfo?[.sqlState] { parts.append("SQLSTATE \(state)") }
            } else {
                parts.append("\(e.code)")
                if let underlying = e.underlying { parts.append("\(underlying)") }
            }
            if let query = e.query { parts.append("in: \(query.sql.prefix(200))") }
            return LocatedError(parts.joined(separator: ": "))
        }
        return LocatedError("\(url): \(error)")
    }
}
