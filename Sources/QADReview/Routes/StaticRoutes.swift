import Foundation
import Hummingbird
import NIOCore

/// GET /static/NAME: files of the app's own Static folder, nothing else. A
/// path with `..`, a backslash, a NUL or a leading dot in any segment is
/// refused (403) before touching the file system, and the resolved path must
/// still lie inside the folder.
func addStaticRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/static/**") { request, _ -> Response in
        let raw = request.uri.path.dropFirst("/static/".count)
        guard let decoded = String(raw).removingPercentEncoding,
              let relative = StaticFiles.safeRelativePath(decoded) else {
            return Response(status: .forbidden)
        }
        guard let (data, type) = StaticFiles.read(root: state.staticRoot, relative: relative) else {
            return Response(status: .notFound)
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

enum StaticFiles {
    /// The path if every segment is a plain file name, else nil.
    static func safeRelativePath(_ path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty else { return nil }
        for s in segments {
            if s.isEmpty || s == "." || s == ".." || s.hasPrefix(".") || s.contains("\\") || s.contains("\0") { return nil }
        }
        return path
    }

    static func read(root: String, relative: String) -> ([UInt8], String)? {
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative).standardizedFileURL.resolvingSymlinksInPath()
        let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        guard url.path.hasPrefix(resolvedRoot + "/"), let data = FileManager.default.contents(atPath: url.path) else {
            return nil
        }
        let type: String
        switch url.pathExtension {
        case "js": type = "text/javascript; charset=utf-8"
        case "css": type = "text/css; charset=utf-8"
        case "svg": type = "image/svg+xml"
        case "png": type = "image/png"
        default: type = "application/octet-stream"
        }
        return ([UInt8](data), type)
    }
}
