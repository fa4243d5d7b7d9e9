import Foundation
import QADCore
import QADFormats
import QADModel
import QADPlot
import QADStore

/// `qad plot`: figures of a project's spectra and of its latent space, written to files.
public struct PlotStage {
    public let project: ProjectStore
    public let model: String
    let loader: SpectrumLoader

    public init(project: ProjectStore, model: String = "vae") throws {
        self.project = project
        self.model = model
        loader = try Self.loader(project: project, model: model)
    }

    /// The figure data reader of a project's whole cache (every shard) and a model's reconstructions.
    public static func loader(project: ProjectStore, model: String) throws -> SpectrumLoader {
        try SpectrumLoader(cache: project.spectralCache(shard: SpectralCache.allShards),
                           modelDirectory: project.modelDirectory(model))
    }

    /// The spectrum figure of one TARGETID in each format; returns the paths written.
    public func writeSpectrum(_ id: TargetID, figure: SpectrumFigure, formats: [FigureWriter.Format],
                              directory: String) throws -> [String] {
        guard let spectrum = try project.store.spectrum(id) else { throw LocatedError("TARGETID \(id) is not in \(project.location)") }
        let data = try loader.load(spectrum, score: try project.store.score(model: model, targetid: id))
        return try FigureWriter.write(name: String(id), formats: formats, directory: directory) { ascii in
            var f = figure
            f.asciiText = ascii
            return f.draw(data)
        }
    }

    /// The latent map of every spectrum with `candidates` marked.
    public func writeLatentMap(candidates: [TargetID], figure: LatentMapFigure, formats: [FigureWriter.Format],
                               directory: String) throws -> [String] {
        let path = project.modelDirectory(model) + "/" + ModelFiles.latentMuName
        guard FileManager.default.fileExists(atPath: path) else {
            throw LocatedError(file: path, message: "missing: run `qad infer` first")
        }
        let mu = try MappedNPYMatrix(path: path)
        // Latent rows are the cache's global rows (every shard), as inference wrote them.
        let rowOf = Dictionary(try project.store.spectra().compactMap { s in
            loader.globalRow(of: s).flatMap { $0 < mu.rows ? (s.targetid, $0) : nil }
        }, uniquingKeysWith: { a, _ in a })
        let rows = rowOf.values.sorted()
        let projection = LatentProjection.fit(mu, rows: rows)
        let sample = rows.compactMap { projection.project(mu.row($0)) }
        let marked = candidates.compactMap { rowOf[$0] }.compactMap { projection.project(mu.row($0)) }
        let drawing = figure.draw(sample: sample, candidates: marked, explained: projection.explained)
        return try FigureWriter.write(name: "latent_map", formats: formats, directory: directory) { _ in drawing }
    }

    /// TARGETIDs from a CSV file with a TARGETID (or TARGET_ID) column, or from
    /// a plain list (the first field of each line); `#` comments and blank lines skipped.
    public static func readTargetIDs(_ path: String) throws -> [TargetID] {
        let reader = try CSVReader(path: path, headerless: true)
        var column: Int?
        var ids: [TargetID] = []
        while let fields = try reader.nextRow() {
            let trimmed = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = trimmed.first, !first.isEmpty, !first.hasPrefix("#") else { continue }
            if ids.isEmpty, column == nil,
               let i = trimmed.firstIndex(where: { $0.uppercased() == "TARGETID" || $0.uppercased() == "TARGET_ID" }) {
                column = i
                continue
            }
            let c = column ?? 0
            guard c < trimmed.count, let id = TargetID(trimmed[c]) else {
                throw LocatedError(file: path, column: column == nil ? nil : "TARGETID", line: reader.line,
                                   message: "'\(c < trimmed.count ? trimmed[c] : "")' is not a TARGETID")
            }
            ids.append(id)
        }
        return ids
    }
}
