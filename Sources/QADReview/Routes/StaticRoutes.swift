import Hummingbird
import NIOCore

/// GET /static/NAME: the app's own script and style sheet, built into the
/// binary (`EmbeddedStatic`, from the Static folder). Only those names exist:
/// no path reaches the file system.
func addStaticRoutes(_ router: Router<ReviewRequestContext>) {
    router.get("/static/:file") { _, context -> Response in
        guard let name = context.parameters.get("file"), let text = EmbeddedStatic.files[name] else {
            return Response(status: .notFound)
        }
        let type = name.hasSuffix(".js") ? "text/javascript; charset=utf-8"
            : name.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/octet-stream"
        // no-cache: browsers revalidate, so a new build's script is picked up at the next reload.
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
