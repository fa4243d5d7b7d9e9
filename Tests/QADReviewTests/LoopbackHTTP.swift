import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client for loopback only (`Connection: close`, body read
/// to EOF). The WebDriver client uses it: on Linux, URLSession fails against
/// chromedriver ("Failed writing header").
enum LoopbackHTTP {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func request(port: Int, method: String, path: String, body: Data?) throws -> (status: Int, body: Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var out = Data(head.utf8)
        if let body { out += body }
        try out.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, 0)
                guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
                sent += n
            }
        }
        // Read the header, then exactly Content-Length bytes (or chunks up to
        // the last one): chromedriver keeps the connection open regardless.
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        func receive() throws -> Bool {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 { throw Failure(description: "recv: errno \(errno)") }
            if n > 0 { response.append(buffer, count: n) }
            return n > 0
        }
        var split = response.range(of: Data("\r\n\r\n".utf8))
        while split == nil {
            guard try receive() else { throw Failure(description: "connection closed before the header ended") }
            split = response.range(of: Data("\r\n\r\n".utf8))
        }
        let header = String(decoding: response[..<split!.lowerBound], as: UTF8.self)
        let status = Int(header.split(separator: " ").dropFirst().first ?? "") ?? 0
        let lower = header.lowercased()
        let bodyStart = split!.upperBound
        if let line = lower.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
           let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
            while response.count - bodyStart < length { guard try receive() else { break } }
            return (status, Data(response[bodyStart..<min(response.endIndex, bodyStart + length)]))
        }
        if lower.contains("transfer-encoding: chunked") {
            while response[bodyStart...].range(of: Data("\r\n0\r\n\r\n".utf8)) == nil
                    && !response[bodyStart...].starts(with: Data("0\r\n\r\n".utf8)) {
                guard try receive() else { break }
            }
            return (status, dechunk(Data(response[bodyStart...])))
        }
        while try receive() {}
        return (status, Data(response[bodyStart...]))
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var i = data.startIndex
        while let lineEnd = data[i...].range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: data[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            out += data[start..<min(data.endIndex, start + size)]
            i = min(data.endIndex, start + size + 2)
        }
        return out
    }
}
