import Foundation
import COpenBLAS

/// The OpenBLAS calls the model needs, on `MatrixView`s (row-major, any stride).
public enum BLAS {
    /// C = α·op(A)·op(B) + β·C, where op transposes when asked.
    @inline(__always)
    public static func gemm(_ a: MatrixView, transposeA: Bool = false, _ b: MatrixView, transposeB: Bool = false,
                            into c: MatrixView, alpha: Float = 1, beta: Float = 0) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        precondition((transposeB ? b.columns : b.rows) == k && c.rows == m && c.columns == n,
                     "gemm shapes: op(A) \(m)x\(k), op(B) \(transposeB ? b.columns : b.rows)x\(n), C \(c.rows)x\(c.columns)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS would only scale C; make that explicit (β = 0 must clear NaN too).
            for r in 0..<m {
                let p = c.rowPointer(r)
                for j in 0..<n { p[j] = beta == 0 ? 0 : beta * p[j] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a.base, blasint(a.stride), b.base, blasint(b.stride),
                    beta, c.base, blasint(c.stride))
    }

    /// y = α·Aᵀ·x + β·y over the rows of A (column sums when x is all ones).
    @inline(__always)
    public static func gemvTransposed(_ a: MatrixView, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                      alpha: Float = 1, beta: Float = 0) {
        if a.columns == 0 { return }
        if a.rows == 0 {
            for j in 0..<a.columns { y[j] = beta == 0 ? 0 : beta * y[j] }
            return
        }
        cblas_sgemv(CblasRowMajor, CblasTrans, blasint(a.rows), blasint(a.columns), alpha, a.base, blasint(a.stride),
                    x, 1, beta, y, 1)
    }

    /// Threads OpenBLAS uses for one call. Process-wide: parallel callers set 1.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// Stops OpenBLAS's worker threads, which it starts when the library loads
    /// and which spin (sched_yield) for ~0.1 s after loading and after every
    /// threaded call: a command that does no matrix work (ingest) would lose
    /// that much of a core at start-up. OpenBLAS starts them again on its next
    /// threaded call. `blas_thread_shutdown_` is not in cblas.h: looked up at run time.
    public static func stopThreadPool() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") else { return }
        _ = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
    }

    /// The kernel family OpenBLAS picked for this CPU (e.g. "SkylakeX").
    public static var coreName: String { String(cString: openblas_get_corename()) }
}
