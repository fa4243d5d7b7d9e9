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
        guard let file = context.parameters.get("file") else { return Response(status: .badRequest) }
        let isPNG = file.hasSuffix(".png")
        guard isPNG || file.hasSuffix(".svg"), let id = TargetID(file.dropLast(4)) else {
            return Response(status: .notFound)
        }
        let p = request.uri.queryParameters
        var figure = EpochFigure()
        figure.smoothing = min(51, max(1, p.get("smooth").flatMap { Int($0) } ?? 5))
        figure.width = min(3000, max(200, p.get("w").flatMap { Int($0) } ?? 1000))
        figure.height = min(2000, max(150, p.get("h").flatMap { Int($0) } ?? 520))
        figure.asciiText = isPNG
        let settings = figure
        let bytes: [UInt8]? = try await rendered(in: state.figureSlots) {
            guard let drawing = try EpochPlot.drawing(state.store, object: id, figure: settings) else { return nil }
            return isPNG ? try Rasterizer.png(drawing) : Array(SVGWriter.svg(drawing).utf8)
        }
        guard let bytes else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: isPNG ? "image/png" : "image/svg+xml"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    router.get("/figure/:file") { request, context -> Response in
        guard let file = context.parameters.get("file") else { return Response(status: .badRequest) }
        let isPNG = file.hasSuffix(".png")
        guard isPNG || file.hasSuffix(".svg"), let id = TargetID(file.dropLast(4)) else {
            return Response(status: .notFound)
        }
        let p = request.uri.queryParameters
        var figure = SpectrumFigure()
        figure.frame = p.get("frame") == "rest" ? .rest : .observed
        figure.smoothing = min(51, max(1, p.get("smooth").flatMap { Int($0) } ?? 1))
        if p.get("thumb") == "1" {
            figure.width = 200; figure.height = 100; figure.decorated = false
        } else {
            figure.width = min(3000, max(200, p.get("w").flatMap { Int($0) } ?? 1000))
            figure.height = min(2000, max(150, p.get("h").flatMap { Int($0) } ?? 520))
        }
        figure.asciiText = isPNG
        let settings = figure, model = state.configuration.model
        // Store reads, drawing and rasterizing block: off the event loop, a bounded number at once.
        let bytes: [UInt8]? = try await rendered(in: state.figureSlots) {
            guard let spectrum = try state.store.spectrum(id) else { return nil }
            let data = try state.spectra.load(spectrum, score: try state.store.score(model: model, targetid: id))
            let drawing = settings.draw(data)
            return isPNG ? try Rasterizer.png(drawing) : Array(SVGWriter.svg(drawing).utf8)
        }
        guard let bytes else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: isPNG ? "image/png" : "image/svg+xml"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
