import Foundation
import QADCore
import QADModel
import QADStore

/// Writes figures of a project to files: what `qad plot` does.
public struct FigureFiles {
    public enum Format: String, Sendable, CaseIterable { case svg, png }

    public let project: ProjectStore
    public let model: String
    let loader: SpectrumLoader
    let scores: (any ScoreStore)?

    public init(project: ProjectStore, model: String = "vae") throws {
        self.project = project
        self.model = model
        loader = try SpectrumLoader(project: project, model: model)
        scores = project.store as? any ScoreStore
    }

    /// The spectrum figure of one TARGETID in each format; returns the paths written.
    public func writeSpectrum(_ id: TargetID, figure: SpectrumFigure, formats: [Format], directory: String) throws -> [String] {
        guard let spectrum = try project.store.spectrum(id) else { throw StoreError("TARGETID \(id) is not in \(project.location)") }
        let data = try loader.load(spectrum, score: try scores?.score(model: model, targetid: id))
        return try write(name: String(id), formats: formats, directory: directory) { ascii in
            var f = figure
            f.asciiText = ascii
            return f.draw(data)
        }
    }

    /// The latent map of every spectrum with `candidates` marked.
    public func writeLatentMap(candidates: [TargetID], figure: LatentMapFigure, formats: [Format],
                               directory: String) throws -> [String] {
        let path = "\(project.directory)/models/\(model)/\(VAEInference.muName)"
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("\(path) is missing: run `qad infer` first")
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
        return try write(name: "latent_map", formats: formats, directory: directory) { _ in drawing }
    }

    /// TARGETIDs from a text or CSV file: the TARGETID column if the header
    /// names one, else the first field of each line; `#` comments and blank lines skipped.
    public static func readTargetIDs(_ path: String) throws -> [TargetID] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw StoreError("\(path): cannot read") }
        var column = 0
        var ids: [TargetID] = []
        for (n, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if ids.isEmpty, let i = fields.firstIndex(where: { $0.uppercased() == "TARGETID" || $0.uppercased() == "TARGET_ID" }) {
                column = i
                continue
            }
            guard column < fields.count, let id = TargetID(fields[column]) else {
                throw StoreError("\(path) line \(n + 1): '\(column < fields.count ? fields[column] : "")' is not a TARGETID")
            }
            ids.append(id)
        }
        return ids
    }

    private func write(name: String, formats: [Format], directory: String, draw: (_ ascii: Bool) -> Drawing) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for format in formats {
            let path = "\(directory)/\(name).\(format.rawValue)"
            switch format {
            case .svg: try SVGWriter.svg(draw(false)).write(toFile: path, atomically: true, encoding: .utf8)
            case .png: try Data(try Rasterizer.png(draw(true))).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
            paths.append(path)
        }
        return paths
    }
}
