import Foundation
import QADCore

/// Where a PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&host=/socket/dir]`.
///
/// The password may instead come from the environment (`PGPASSWORD`), so that
/// Kubernetes secrets and Slurm environments need not put it in a command line.
/// `sslmode` is `disable`, `prefer` (the default, as in libpq) or `require`.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// A folder holding the server's Unix socket (`?host=/dir`), used instead of TCP.
    public var socketDirectory: String?
    public var tls: TLSMode
    /// Path components after the database (`…/DB/SCHEMA.TABLE` names a table).
    public var extraPath: [String]

    public static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    public init(_ string: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(string), let components = URLComponents(string: string) else {
            throw LocatedError("\(string): not a postgres://USER@HOST:PORT/DATABASE URL")
        }
        let host = components.host ?? ""
        guard !host.isEmpty || components.queryItems?.contains(where: { $0.name == "host" }) == true else {
            throw LocatedError("\(Self.redacted(string)): the URL names no host")
        }
        let path = components.path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard let database = path.first, !database.isEmpty else {
            throw LocatedError("\(Self.redacted(string)): the URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        self.host = host.isEmpty ? "localhost" : host
        port = components.port ?? 5432
        user = components.percentEncodedUser?.removingPercentEncoding ?? environment["PGUSER"] ?? "postgres"
        password = components.percentEncodedPassword?.removingPercentEncoding ?? environment["PGPASSWORD"]
        self.database = database
        extraPath = Array(path.dropFirst())
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw LocatedError("\(Self.redacted(string)): unknown sslmode '\(item.value ?? "")' (disable, prefer, require)")
                }
            case "host":
                socketDirectory = item.value
            default:
                throw LocatedError("\(Self.redacted(string)): unknown URL parameter '\(item.name)' (sslmode, host)")
            }
        }
        self.tls = tls
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        "postgres://\(user)@\(socketDirectory.map { "[\($0)]" } ?? "\(host):\(port)")/\(([database] + extraPath).joined(separator: "/"))"
    }

    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "postgres URL" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "postgres URL"
    }
}
