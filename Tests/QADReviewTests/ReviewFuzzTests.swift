import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import QADCore
import QADDetect
import QADReview
import QADStore
import QADStoreFixtures
import Testing

/// Nothing a client sends stops the server: every route gets random, huge,
/// negative, NaN and non-numeric parameters and bodies, thousands of requests
/// in all, and must answer each with a status below 500, and still serve the
/// queue at the end.
@Suite struct ReviewFuzzTests {
    static let values = ["", "0", "-1", "1", "2.5", "1e20", "-1e20", "1e308", "1e309", "NaN", "nan", "inf", "-inf",
                         "Infinity", "99999999999999999999", "-9223372036854775809", "9223372036854775807", "0x10",
                         "abc", "%00", "%FF", "%E2%82%AC", "%3Cscript%3E", "..%2F..%2Fetc%2Fpasswd", "1,2", "[]", "{}",
                         "true", "relevance", "team", "me", "instrument", String(repeating: "9", count: 400), String(repeating: "a", count: 3000), "%20", "+", "%"]

    static let parameters = ["limit", "offset", "z_min", "z_max", "snr_min", "snr_max", "bal", "sort", "asc",
                             "unlabelled_first", "exclude_flagged", "pct_score", "min_score", "min_local_rest",
                             "frame", "smooth", "w", "h", "thumb", "disagreements", "token", "t", "order", "relevance", "map"]

    @Test func randomParametersAndBodiesNeverStopTheServer() async throws {
        let f = try ReviewFixture(spectra: 30)
        let app = try buildApplication(f.configuration)
        let id = f.summary.firstTargetID
        var rng = SplitMix64(seed: 20261207)  // seeded: a failing request can be replayed
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        func query() -> String {
            (0..<Int(rng.next() % 5)).map { _ in pick(Self.parameters) + "=" + pick(Self.values) }.joined(separator: "&")
        }
        let targets = ["\(id)", "\(id + 1)", "0", "-1", "12", "99999999999999999999", "abc", "%00", "1e5", "\(Int64.max)"]
        // Every request is drawn first (seeded), then sent.
        var requests: [(uri: String, body: String?)] = []
        for i in 0..<3000 {
            let target = pick(targets)
            switch i % 8 {
            case 0, 1: requests.append(("/api/queue?" + query(), nil))
            case 2: requests.append(("/api/candidate/\(target)?" + query(), nil))
            case 3: requests.append((i % 16 == 3 ? "/api/arms/\(target)" : "/api/similar/\(target)?" + query(), nil))
            // Figures render for real: small ones, and fewer of them.
            case 4: requests.append((i % 64 == 4 ? "/figure/\(target).svg?thumb=1&" + query()
                                                 : "/figure/\(target).\(pick(["svg", "png", "gif", ""]))x", nil))
            case 5: requests.append((pick(["/consensus?", "/labels?", "/?", "/login?", "/api/session?", "/api/suppressions?"]) + query(), nil))
            case 7 where i % 16 == 15:
                // Family suppressions and their undo, well formed or not.
                if rng.next() % 2 == 0 {
                    requests.append(("/api/suppress", pick(["{\"targetid\":\"\(target)\",\"frame\":\"\(pick(["obs", "rest", "", "x"]))\"}",
                                                            "{\"targetid\":\"\(target)\"}", pick(Self.values),
                                                            "{\"frame\":\"obs\"}", "[" + String(repeating: "[", count: 500)])))
                } else {
                    requests.append(("/api/suppress/\(pick(["1", "2", "0", "-1", "abc", "99999999999999999999", "%00"]))/undo", ""))
                }
            default:
                let bodies = ["{\"targetid\":\"\(target)\",\"class\":\"\(pick(["artifact", "x", "", "wrong_redshift"]))\","
                              + "\"confidence\":\(pick(["1", "3", "0", "-1", "1e20", "\"a\"", "null"])),"
                              + "\"proposed_z\":\(pick(["1.5", "0", "-2", "1e400", "null", "\"z\""]))}",
                              pick(Self.values), "{\"targetid\":\(pick(Self.values.filter { !$0.isEmpty })),\"class\":\"unsure\"}",
                              "{\"targetid\":\"\(id)\",\"class\":\"unsure\",\"notes\":\"\(String(repeating: "n", count: Int(rng.next() % 5000)))\"}",
                              "[" + String(repeating: "[", count: 500)]
                requests.append(("/api/label", pick(bodies)))
            }
        }
        let planned = requests
        let started = Date()
        let statuses = try await app.test(.router) { client -> [Int: Int] in
            var statuses: [Int: Int] = [:]
            let ann = try await signIn(client, token: f.tokens["ann"]!)
            for r in planned {
                let response = if let body = r.body {
                    try await client.execute(uri: r.uri, method: .post, headers: ann.postHeaders(csrf: ann.csrf),
                                             body: ByteBuffer(string: body))
                } else {
                    try await client.execute(uri: r.uri, method: .get, headers: ann.headers)
                }
                statuses[Int(response.status.code), default: 0] += 1
                #expect(response.status.code < 500, "\(r.uri) \(r.body ?? "") → \(response.status)")
            }
            let still = try await client.execute(uri: "/api/queue?limit=5", method: .get, headers: ann.headers)
            #expect(still.status == .ok)
            return statuses
        }
        print("ReviewFuzzTests: 3000 requests in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; statuses \(statuses.sorted { $0.key < $1.key })")
        #expect(statuses[200, default: 0] > 300 && statuses[400, default: 0] > 300)
    }
}

