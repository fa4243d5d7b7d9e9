import Foundation
import QADModel

/// Settings that hold for the whole process, made here and nowhere else: the
/// libraries never change them behind a caller's back.
enum ProcessSettings {
    /// For every command: qad runs its own threads over batches and rows, so
    /// each BLAS call runs on one thread (OpenBLAS threads would compete with
    /// ours for the same cores).
    static func atStart() {
        BLAS.threads = 1
    }

    /// For ingest and workers, which do no matrix work but read and free the
    /// same buffers file after file.
    static func forIngest() {
        // OpenBLAS's own threads spin (sched_yield) for ~0.1 s after the
        // library loads: stop them, they would take a core from ingest.
        BLAS.stopThreadPool()
        // By default glibc returns freed memory to the kernel and then faults
        // it in again, zeroed, for the next file (a tenth of ingest's CPU).
        // Keeping it leaves RSS at its peak, which the read-ahead window bounds.
        // mallopt is in <malloc.h>, which Glibc's module map leaves out.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-3, 32 << 20)   // M_MMAP_THRESHOLD: buffers of a few MB come from the heap
        _ = mallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD: freed memory is kept for the next file
    }
}
