import ArgumentParser
import Foundation
import QADCore
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
    @Flag(name: .customLong("latent-map"), help: "Also write the latent-space map.")
    var latentMap = false
    @Option(name: .long, help: "Wavelength frame: observed or rest.")
    var frame = "observed"
    @Option(name: .long, help: "Boxcar smoothing width in bins (1 = none).")
    var smooth = 1
    @Option(name: .long, help: "svg, png or both.")
    var format = "both"
    @Option(name: .long, help: "Figure width and height in pixels, e.g. 1000x520.")
    var size = "1000x520"
    @Option(name: .long, help: "Output folder.")
    var out = "qad-plots"

    func validate() throws {
        if targetid.isEmpty && list == nil && top == nil && !latentMap {
            throw ValidationError("choose spectra with --targetid, --list or --top, or ask for --latent-map")
        }
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        guard SpectrumFigure.Frame(rawValue: frame) != nil else { throw ValidationError("--frame must be observed or rest") }
        guard ["svg", "png", "both"].contains(format) else { throw ValidationError("--format must be svg, png or both") }
        guard (1...101).contains(smooth) else { throw ValidationError("--smooth must be 1–101") }
        guard parsedSize != nil else { throw ValidationError("--size must look like 1000x520 (100–4000 each)") }
    }

    var parsedSize: (Int, Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ (100...4000).contains($0) }) else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        let project = try common.openProject()
        var ids = targetid
        if let list { ids += try FigureFiles.readTargetIDs(list) }
        if let top {
            guard let scores = project.store as? any ScoreStore else { throw ValidationError("this store holds no scores") }
            var q = CandidateQuery(model: model)
            q.limit = top
            let chosen = try scores.candidates(q)
            if chosen.isEmpty { throw ValidationError("no scores of model \(model) in \(project.location): run qad score first") }
            ids += chosen.map(\.spectrum.targetid)
        }
        let files = try FigureFiles(project: project, model: model)
        let formats: [FigureFiles.Format] = format == "both" ? [.svg, .png] : [FigureFiles.Format(rawValue: format)!]
        var figure = SpectrumFigure()
        figure.frame = SpectrumFigure.Frame(rawValue: frame)!
        figure.smoothing = smooth
        (figure.width, figure.height) = parsedSize!
        var written = 0
        for id in ids {
            written += try files.writeSpectrum(id, figure: figure, formats: formats, directory: out).count
        }
        if latentMap {
            written += try files.writeLatentMap(candidates: ids, figure: LatentMapFigure(), formats: formats, directory: out).count
        }
        print("wrote \(written) files to \(out)/ (\(ids.count) spectra\(latentMap ? " and the latent map" : ""))")
    }
}
