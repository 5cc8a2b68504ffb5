import Foundation
import VigilCommandLine

/// Tesseract (plate OCR) parallelises its LSTM with OpenMP. On a small host
/// that already runs one reader per worker, OpenMP's spinning threads halve
/// throughput (measured: 135 vs 66 ms per 1280x1280 frame on 2 cores). libgomp
/// reads `OMP_THREAD_LIMIT` only when it loads, before `main`, so `vigil` sets it
/// before handing such a command over; run directly, vigil-full sets it and re-executes itself once. An explicit setting is respected. Only the commands
/// that can read plates pay for the second start (about 0.2 s of dynamic linking);
/// the rest never run Tesseract.
enum OpenMP {
    static func limitThreads(arguments: [String] = CommandLine.arguments) {
        guard arguments.count > 1, CommandRouting.readingPlates.contains(arguments[1]) else { return }
        guard ProcessInfo.processInfo.environment["OMP_THREAD_LIMIT"] == nil else { return }
        setenv("OMP_THREAD_LIMIT", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached if exec failed: carry on with OpenMP's default.
    }
}
