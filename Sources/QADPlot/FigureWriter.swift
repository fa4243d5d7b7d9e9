import Foundation

/// Writes one drawing to files in each asked format: SVG as text, PNG
/// through qad's own rasterizer (no fonts or network needed).
public enum FigureWriter {
    public enum Format: String, Sendable, CaseIterable { case svg, png }

    /// `directory/name.svg` and/or `.png`; `draw(ascii)` draws the figure
    /// (ASCII-only text for the PNG's bitmap font). Returns the paths written.
    public static func write(name: String, formats: [Format], directory: String,
                             draw: (_ ascii: Bool) -> Drawing) throws -> [String] {
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
