import ArgumentParser
import Foundation
import QADCore
import QADDetect
import QADPipeline
import QADPlot
import QADStore

/// `qad plot`: the review figure as SVG/PNG files, and the latent map.
struct Plot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write diagnostic figures (SVG, PNG) of spectra and a latent-space map.",
        discussion: """
        Choose spectra with --targetid (repeatable), --list FILE (text or CSV of TARGETIDs; a TARGETID \
        header column is used when present) or --top N (highest combined score). --latent-map adds \
        latent_map.svg/png: the whole sample on the first two principal axes of the latent means, \
        with the chosen spectra marked.
        """)

    @OptionGroup var common: StoreOptions
    @Option(name: .long, help: "Model whose reconstruction and scores are drawn.")
    var model = "vae"
    @Option(name: .long, help: "A TARGETID to plot (repeatable).")
    var targetid: [Int64] = []
    @Option(name: .long, help: "Text or CSV file of TARGETIDs.")
    var list: String?
    @Option(name: .long, help: "Plot the N highest-scored candidates.")
    var top: Int?
    @Flag(name: .long, help: "Draw each chosen object's repeat epochs overlaid, with the last minus the first below (epochs-TARGETID), instead of its spectrum figure.")
    var epochs = false

    @Flag(name: .customLong("latent-map"), help: "Also write the latent-space map.")
    var latentMap = false
    @Option(name: .long, help: "Wavelength frame: observed or rest.")
    var frame = SpectrumFigure.Frame.observed
    @Option(name: .long, help: "Boxcar smoothing width in bins (1 = none).")
    var smooth = 1
    @Option(name: .long, help: "svg, png or both.")
    var format = FigureFormats.both
    @Option(name: .long, help: "Figure width and height in pixels, e.g. 1000x520 (100–4000 each).")
    var size = FigureSize(argument: "1000x520")!
    @Option(name: .long, help: "Output folder.")
    var out = "qad-plots"

    func validate() throws {
        if targetid.isEmpty && list == nil && top == nil && !latentMap {
            throw ValidationError("choose spectra with --targetid, --list or --top, or ask for --latent-map")
        }
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        guard (1...101).contains(smooth) else { throw ValidationError("--smooth must be 1–101") }
    }

    func run() throws {
        let project = try common.openProject()
        var ids = targetid
        if let list { ids += try PlotStage.readTargetIDs(list) }
        if let top {
            var q = CandidateQuery(model: model)
            q.limit = top
            ids += try RankStage(project: project).run(q).candidates.map(\.spectrum.targetid)
        }
        let files = try PlotStage(project: project, model: model)
        let formats = format.formats
        var figure = SpectrumFigure()
        figure.frame = frame
        figure.smoothing = smooth
        (figure.width, figure.height) = (size.width, size.height)
        var written = 0
        if epochs {
            var drawing = EpochFigure()
            drawing.smoothing = max(1, smooth)
            (drawing.width, drawing.height) = (size.width, size.height)
            for id in ids {
                guard let plot = try EpochPlot(project.store, object: id) else {
                    throw LocatedError(file: project.location, message: "object \(id) has fewer than two epochs in the store: nothing to overlay")
                }
                written += try FigureWriter.write(name: "epochs-\(id)", formats: formats, directory: out) { ascii in
                    var f = drawing
                    f.asciiText = ascii
                    return plot.draw(f)
                }.count
            }
        } else {
            for id in ids {
                written += try files.writeSpectrum(id, figure: figure, formats: formats, directory: out).count
            }
        }
        if latentMap {
            written += try files.writeLatentMap(candidates: ids, figure: LatentMapFigure(), formats: formats, directory: out).count
        }
        print("wrote \(written) files to \(out)/ (\(ids.count) spectra\(latentMap ? " and the latent map" : ""))")
    }
}
