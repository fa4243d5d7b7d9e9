import Foundation
import Testing
@testable import QADModel

@Suite struct NumericsTests {
    /// sgemm through views (column blocks, strides, both transposes, β = 1)
    /// against a plain triple loop.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmOnStridedViewsMatchesLoops(transposeA: Bool, transposeB: Bool) {
        var rng = SeededRandom(seed: 3)
        let (m, n, k) = (5, 7, 9)
        // Operands live inside wider matrices and are taken as column blocks.
        var a = Matrix(rows: transposeA ? k : m, columns: (transposeA ? m : k) + 3,
                       values: (0..<((transposeA ? k : m) * ((transposeA ? m : k) + 3))).map { _ in Float(rng.nextUniform() - 0.5) })
        var b = Matrix(rows: transposeB ? n : k, columns: (transposeB ? k : n) + 2,
                       values: (0..<((transposeB ? n : k) * ((transposeB ? k : n) + 2))).map { _ in Float(rng.nextUniform() - 0.5) })
        var c = Matrix(rows: m, columns: n + 4, repeating: 1)
        a.withView { av in
            b.withView { bv in
                c.withView { cv in
                    BLAS.gemm(av.columns(1..<(av.columns - 2)), transposeA: transposeA,
                              bv.columns(2..<bv.columns), transposeB: transposeB,
                              into: cv.columns(4..<cv.columns), alpha: 2, beta: 1)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p, 1 + i] : a[i, 1 + p]
                    let y = transposeB ? b[j, 2 + p] : b[p, 2 + j]
                    s += x * y
                }
                #expect(abs(c[i, 4 + j] - (1 + 2 * s)) < 1e-5)
            }
            for j in 0..<4 { #expect(c[i, j] == 1, "gemm wrote outside its block") }
        }
    }

    @Test func seededStreamsAreReproducibleAndIndependent() {
        var a = SeededRandom(seed: 42, stream: 1, 7), b = SeededRandom(seed: 42, stream: 1, 7)
        var c = SeededRandom(seed: 42, stream: 1, 8)
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        #expect(xa == xb && xa != xc)
        var g = SeededRandom(seed: 9)
        var values = [Float](repeating: 0, count: 100_001)
        values.withUnsafeMutableBufferPointer { g.fillGaussian($0.baseAddress!, count: $0.count) }
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        let variance = values.reduce(0.0) { $0 + Double($1 - Float(mean)) * Double($1 - Float(mean)) } / Double(values.count)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.02)
        var p = SeededRandom(seed: 1)
        #expect(p.permutation(1000).sorted() == Array(0..<1000))
    }

    @Test func fastMathMatchesLibm() {
        var worstLog = 0.0, worstExp = 0.0
        for k in 0...20_000 {
            let w = Float(pow(10, -8 + 15 * Double(k) / 20_000))  // 1e-8 … 1e7
            let exact = Foundation.log1p(Double(w))
            worstLog = max(worstLog, abs(Double(FastMath.log1p(w)) - exact) / exact)
            let z = -Float(pow(10, -8 + 10.5 * Double(k) / 20_000))  // -1e-8 … -3e2
            worstExp = max(worstExp, abs(Double(FastMath.expm1Negative(z)) - Foundation.expm1(Double(z))))
        }
        #expect(worstLog < 2e-6 && worstExp < 3e-7, "log1p \(worstLog), expm1 \(worstExp)")
        #expect(FastMath.log1p(0) == 0 && FastMath.expm1Negative(0) == 0 && FastMath.expm1Negative(-1e30) == -1)
    }

    @Test func contentHashSeesEveryByte() {
        var values = (0..<1001).map { Float($0) }
        var h1 = ContentHash()
        h1.update(values)
        values[1000] = 1000.0001
        var h2 = ContentHash()
        h2.update(values)
        values[1000] = 1000
        values[3] = 4
        var h3 = ContentHash()
        h3.update(values)
        #expect(h1.hex != h2.hex && h1.hex != h3.hex && h1.hex.count == 16)
    }
}
