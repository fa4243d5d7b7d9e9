import CZlib
import Foundation
import QADCore
import QADDetect
import QADFormats
import QADModel
import QADTestSupport
import Testing
@testable import QADPlot

@Suite struct PlotTests {
    /// A toy spectrum: flat continuum with a CIV line the model misses, a masked gap.
    func spectrum() -> SpectrumData {
        let lam = (0..<400).map { 1300.0 + Double($0) * 2 }
        var flux = [Float](), ivar = [Float](), model = [Float]()
        for (i, l) in lam.enumerated() {
            model.append(1)
            flux.append(Float(1 + 2 * exp(-0.5 * pow((l - 1549) / 10, 2))))
            ivar.append(i >= 300 && i < 310 ? 0 : 400)
        }
        return SpectrumData(targetid: 39_627_000_000_000_001, z: 2, restLambda: lam, flux: flux, ivar: ivar, model: model,
                            windows: [ExplanationWindow(window: "CIV", frame: "rest", share: 0.8)],
                            localRest: (1549, 30), localObs: nil)
    }

    @Test func figureHasCurvesLinesWindowsAndMaskedShading() {
        var f = SpectrumFigure()
        f.frame = .rest
        let d = f.draw(spectrum())
        let svg = SVGWriter.svg(d)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        // Flux, model and residual curves; the masked run splits the flux and residual.
        let polylines = d.shapes.filter { if case .polyline(_, let c, _, false) = $0 { return c == .flux || c == .model || c == .residual }; return false }
        #expect(polylines.count == 5)
        #expect(svg.contains(">CIV</text>") && svg.contains(">SiIV</text>") && svg.contains(">HeII</text>"))
        #expect(!svg.contains(">MgII</text>"))  // 2798 Å is outside 1300–2098 Å
        #expect(svg.contains("TARGETID 39627000000000001"))
        let rects = d.shapes.compactMap { s -> RGBA? in if case .rect(_, _, _, _, let c) = s { return c }; return nil }
        #expect(rects.contains(.masked) && rects.contains(.window) && rects.contains(.localWindow))
        // In the observed frame the same line sits at 1549 × (1 + z).
        f.frame = .observed
        let obs = SVGWriter.svg(f.draw(spectrum()))
        #expect(obs.contains("Observed wavelength"))
    }

    @Test func pngDecodesToTheRasterizedPixels() throws {
        var d = Drawing(width: 40, height: 20)
        d.add(.rect(x: 0, y: 0, width: 40, height: 20, fill: .white))
        d.add(.rect(x: 10, y: 5, width: 10, height: 10, fill: RGBA(255, 0, 0)))
        let (w, h, rgb) = Rasterizer.rgb(d)
        #expect(w == 40 && h == 20)
        #expect(Array(rgb[(10 * 40 + 15) * 3..<(10 * 40 + 15) * 3 + 3]) == [255, 0, 0])
        #expect(Array(rgb[(2 * 40 + 2) * 3..<(2 * 40 + 2) * 3 + 3]) == [255, 255, 255])
        let png = try Rasterizer.png(d)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR, then IDAT: inflate it and compare with the raw rows (filter byte 0 each).
        #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        #expect(String(decoding: png[37..<41], as: UTF8.self) == "IDAT")
        let compressed = Array(png[41..<(41 + idatLength)])
        var out = [UInt8](repeating: 0, count: h * (1 + w * 3))
        var outLength = uLong(out.count)
        #expect(uncompress(&out, &outLength, compressed, uLong(compressed.count)) == Z_OK)
        var expected = [UInt8]()
        for y in 0..<h { expected.append(0); expected += rgb[(y * w * 3)..<((y + 1) * w * 3)] }
        #expect(out == expected)
        // CRC of IHDR as zlib computes it over type + data.
        let crc = crc32(0, Array(png[12..<29]), 17)
        #expect(UInt32(png[29]) << 24 | UInt32(png[30]) << 16 | UInt32(png[31]) << 8 | UInt32(png[32]) == UInt32(crc))
    }

    @Test func textAndLinesLeaveInk() {
        var d = Drawing(width: 120, height: 40)
        d.add(.rect(x: 0, y: 0, width: 120, height: 40, fill: .white))
        d.add(.text("Lya 1216", x: 4, y: 20, size: 10, color: .black, anchor: .start, vertical: false))
        let (_, _, text) = Rasterizer.rgb(d)
        let inkText = stride(from: 0, to: text.count, by: 3).filter { text[$0] < 128 }.count
        #expect(inkText > 40)
        var e = Drawing(width: 120, height: 40)
        e.add(.rect(x: 0, y: 0, width: 120, height: 40, fill: .white))
        e.add(.polyline([(0, 20), (120, 20)], stroke: .black, width: 1, dashed: false))
        let (_, _, line) = Rasterizer.rgb(e)
        // A 1-px line on a pixel boundary half-covers the two rows beside it.
        #expect((0..<120).allSatisfy { Int(line[(20 * 120 + $0) * 3]) + Int(line[(19 * 120 + $0) * 3]) < 300 })
        #expect(line[(5 * 120 + 60) * 3] == 255)
    }

    @Test func ticksAreRoundAndCoverTheRange() {
        let s = LinearScale(domain: (3600, 9800), range: (0, 100))
        let t = s.ticks(8)
        #expect(t.first! >= 3600 && t.last! <= 9800 && t.count >= 5)
        #expect(t.allSatisfy { $0.truncatingRemainder(dividingBy: 500) == 0 })
        #expect(tickLabel(0.5) == "0.5" && tickLabel(4000) == "4000")
    }

    /// The residual axis (±rMax, rMax 5–30) always carries labelled ticks
    /// on both sides of 0, not a lone "0".
    @Test func theResidualAxisIsAlwaysLabelled() {
        for r in stride(from: 5.0, through: 30.0, by: 0.05) {
            let t = LinearScale(domain: (-r, r), range: (0, 100)).ticks(SpectrumFigure.residualTicks)
            #expect(t.contains(0) && t.contains { $0 < 0 } && t.contains { $0 > 0 } && t.count <= 9, "±\(r): \(t)")
        }
    }

    @Test func latentProjectionFindsTheDominantAxis() throws {
        // Points spread along (1, 1, 0, …)/√2 with small noise elsewhere.
        let dim = 4, n = 500
        var values = [Float]()
        var rng = SystemRandomNumberGenerator()
        for i in 0..<n {
            let t = Float(i - n / 2) / 50
            values += [t + Float.random(in: -0.01...0.01, using: &rng), t, Float.random(in: -0.1...0.1, using: &rng), 0.05]
        }
        let path = temporaryPath("mu.npy")
        try NPYFile.write(values, shape: [n, dim], to: path)
        let mu = try MappedNPYMatrix(path: path)
        let p = LatentProjection.fit(mu, rows: Array(0..<n))
        #expect(abs(abs(p.axes[0][0]) - 0.7071) < 0.01 && abs(abs(p.axes[0][1]) - 0.7071) < 0.01)
        #expect(p.explained[0] > 0.95)
        let d = LatentMapFigure().draw(sample: (0..<n).compactMap { p.project(mu.row($0)) }, candidates: [(0, 0)],
                                       explained: p.explained)
        #expect(d.shapes.contains { if case .circle = $0 { return true }; return false })
    }
}
