import Hummingbird
import NIOCore
import QADCore
import QADPipeline
import QADPlot
import QADStore

/// GET /figure/TARGETID.svg|png?frame=rest|observed&smooth=N&w=&h=&thumb=1:
/// the same figure `qad plot` writes, for downloads and neighbour thumbnails.
/// GET /figure/epochs/TARGETID.svg|png?smooth=N&w=&h=: the object's repeat
/// epochs overlaid (`qad plot --epochs`).
func addFigureRoutes(_ router: Router<ReviewRequestContext>, state: ReviewState) {
    router.get("/figure/epochs/:file") { request, context -> Response in
        guard let (id, isPNG) = figureFile(context) else { return Response(status: .notFound) }
        var figure = EpochFigure()
        figure.smoothing = smoothing(request, default: 5)
        (figure.width, figure.height) = size(request)
        figure.asciiText = isPNG
        let settings = figure
        return try await figureResponse(state, isPNG: isPNG) {
            try EpochPlot(state.store, object: id)?.draw(settings)
        }
    }

    router.get("/figure/:file") { request, context -> Response in
        guard let (id, isPNG) = figureFile(context) else { return Response(status: .notFound) }
        let p = request.uri.queryParameters
        var figure = SpectrumFigure()
        figure.frame = p.get("frame") == "rest" ? .rest : .observed
        figure.smoothing = smoothing(request, default: 1)
        if p.get("thumb") == "1" {
            figure.width = 200; figure.height = 100; figure.decorated = false
        } else {
            (figure.width, figure.height) = size(request)
        }
        figure.asciiText = isPNG
        let settings = figure, model = state.configuration.model
        return try await figureResponse(state, isPNG: isPNG) {
            guard let spectrum = try state.store.spectrum(id) else { return nil }
            return settings.draw(try state.spectra.load(spectrum, score: try state.store.score(model: model, targetid: id)))
        }
    }
}

/// The TARGETID and format a figure URL's last part names (`ID.svg`, `ID.png`).
private func figureFile(_ context: ReviewRequestContext) -> (TargetID, Bool)? {
    guard let file = context.parameters.get("file") else { return nil }
    let isPNG = file.hasSuffix(".png")
    guard isPNG || file.hasSuffix(".svg"), let id = TargetID(file.dropLast(4)) else { return nil }
    return (id, isPNG)
}

private func smoothing(_ request: Request, default value: Int) -> Int {
    min(51, max(1, request.uri.queryParameters.get("smooth").flatMap { Int($0) } ?? value))
}

private func size(_ request: Request) -> (Int, Int) {
    let p = request.uri.queryParameters
    return (min(3000, max(200, p.get("w").flatMap { Int($0) } ?? 1000)), min(2000, max(150, p.get("h").flatMap { Int($0) } ?? 520)))
}

/// Draws off the event loop, a bounded number at once (store reads, drawing
/// and rasterizing block), and answers with the image, or 404 when `draw` has nothing.
private func figureResponse(_ state: ReviewState, isPNG: Bool,
                            draw: @escaping @Sendable () throws -> Drawing?) async throws -> Response {
    let bytes: [UInt8]? = try await rendered(in: state.figureSlots) {
        guard let drawing = try draw() else { return nil }
        return isPNG ? try Rasterizer.png(drawing) : Array(SVGWriter.svg(drawing).utf8)
    }
    guard let bytes else { return Response(status: .notFound) }
    return Response(status: .ok, headers: [.contentType: isPNG ? "image/png" : "image/svg+xml"],
                    body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}
