import Foundation
import VigilFuzz

/// The libFuzzer binary (built by `scripts/fuzz.sh` only, with `-sanitize=fuzzer,address`).
/// SwiftPM names this module's entry point `vigil_fuzz_main` and makes it `main`, so libFuzzer's
/// own `main` is not linked: this one hands over to libFuzzer's driver. The harness is chosen
/// by `VIGIL_FUZZ_TARGET`.
nonisolated(unsafe) var target = FuzzHarness.Target.edf

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("vigil_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = ProcessInfo.processInfo.environment["VIGIL_FUZZ_TARGET"] ?? ""
    guard let chosen = FuzzHarness.Target(rawValue: name) else {
        FileHandle.standardError.write(Data("VIGIL_FUZZ_TARGET must be one of \(FuzzHarness.Target.allCases.map(\.rawValue))\n".utf8))
        return 2
    }
    target = chosen
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in
        FuzzHarness.run(target, data.map { Data(bytes: $0, count: size) } ?? Data())
        return 0
    }
}
