// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Vigil: real-time video surveillance daemon.
///
/// Module map (one responsibility each):
/// - `CFFmpeg`: system library over libavformat/libavcodec/libswscale/libavutil.
/// - `CVision`: the only C++ in the tree; an `extern "C"` API of opaque handles
///   over OpenCV (Haar cascades, plate contours, crime k-means/logistic/maps) and dlib (HOG detector, landmarks, ResNet encoder),
///   and Tesseract (plate OCR); and an eight- or sixteen-lane (AVX2, AVX-512F) evaluator of OpenCV's Haar cascades that
///   finds the same boxes as OpenCV's at about a fifth of the CPU.
/// - `CFFTW`: system library over FFTW3 (double precision), for EEG spectra.
/// - `CXGBoost`: system library over XGBoost's C API (gradient boosting, random forests), for crime scoring.
/// - `VigilCrime`: crime incidents: import mappings, features, models (XGBoost, OpenCV), hotspots,
///   forecasting, the model registry's lifecycle and drift (no vision code, no camera code).
/// - `VigilEEG`: EDF/EDF+/BDF/BDF+ reading, Welch spectra, band powers and features (no vision code).
/// - `VigilCore`: value types shared by every module (boxes, encodings, frames).
/// - `VigilMedia`: FFmpeg decoding into owned frames.
/// - `VigilVision`: face detection strategies and encoding, on a serial queue per handle.
/// - `VigilMatching`: nearest-neighbour matching of encodings against a gallery.
/// - `VigilAnalysis`: one camera's face analysis: motion regions, detection cadence, local track
///   searches, the rolling sweep, bounded encodings per track (shared by the daemon and `vigil scan --track`).
/// - `VigilPlates`: plate formats, OCR confusion repair, ranking, voting and tolerant matching (no vision code).
/// - `VigilConfig`: `vigil.yaml` and `cameras/*.yaml`, checked with file, line and key in every error.
/// - `VigilStore`: the database: SQLite (GRDB) for everything, and PostgreSQL (postgres-nio) for
///   everything but cases and crime data so far, both behind one intent-level API: migrations, watchlists, audit log.
/// - `VigilCluster`: scale-out on a shared PostgreSQL: nodes, and leases that give each camera and
///   hook to exactly one live node, with fair shares and fail-over (postgres-nio).
/// - `VigilScan`: the offline scan pipeline (decode -> sample -> detect -> encode -> match).
/// - `VigilHooks`: the outbox dispatcher: signed webhooks and command hooks, retries, probes.
/// - `VigilAPI`: the HTTP API (Hummingbird): tokens and roles, watchlists, alerts, the live stream.
/// - `VigilDaemon`: `vigil run`: camera ingest, the analysis pool, tracking, alerts, as services.
/// - `VigilCommandLine`: the commands that need no vision (watchlists, alerts, tokens, hooks, config, status).
/// - `vigil`: the command line; links no vision code and hands vision commands to `vigil-full`.
/// - `vigil-full`: every command, with the vision stack, the daemon and the analysis services.
///
/// Tests: `VigilTestSupport` (fixtures: real processes, RTSP server, webhook receiver, shared data)
/// and one test target per module, fast unit targets (`VigilCoreTests`, `VigilPlatesTests`,
/// `VigilAnalysisTests`) apart from slow integration ones (`VigilPlatesIntegrationTests`,
/// `VigilVisionTests`, `VigilDaemonTests`, ...). `scripts/test.sh` runs them all, one target at a time.
let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigil-full", targets: ["vigil-full"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // The analysis services' OpenCV parts (ml, k-means, hulls, PNG plots): core, imgproc and ml only,
        // so crime and EEG commands load no camera stack.
        .target(
            name: "CAnalytics",
            cxxSettings: [
                .unsafeFlags(["-I/usr/include/opencv4", "-O2", "-DNDEBUG"]),
            ],
            linkerSettings: [
                .linkedLibrary("opencv_core"),
                .linkedLibrary("opencv_imgproc"),
                .linkedLibrary("opencv_ml"),
                .linkedLibrary("png16"),
                .linkedLibrary("stdc++"),
            ]
        ),
        .target(
            name: "CVision",
            dependencies: ["CAnalytics"],
            cxxSettings: [
                .unsafeFlags([
                    "-I/usr/include/opencv4",
                    // dlib's network is ~3x slower unoptimised (66 vs 20 ms per face):
                    // this target is always built optimised, whatever the configuration.
                    "-O2",
                    "-DNDEBUG",
                    "-Wno-deprecated-declarations",
                ]),
            ],
            linkerSettings: [
                .linkedLibrary("opencv_core"),
                .linkedLibrary("opencv_imgproc"),
                .linkedLibrary("opencv_objdetect"),
                .linkedLibrary("opencv_imgcodecs"),
                .linkedLibrary("opencv_video"),
                .linkedLibrary("dlib"),
                .linkedLibrary("tesseract"),
                .linkedLibrary("blas"),
                .linkedLibrary("lapack"),
                .linkedLibrary("stdc++"),
            ]
        ),
        .systemLibrary(
            name: "CXGBoost",
            pkgConfig: "xgboost",
            providers: [.apt(["libxgboost-dev"])]
        ),
        .systemLibrary(
            name: "CFFTW",
            pkgConfig: "fftw3",
            providers: [.apt(["libfftw3-dev"])]
        ),
        .target(name: "VigilCore"),
        .target(name: "VigilCharts", dependencies: ["CAnalytics"]),
        .target(name: "VigilEEG", dependencies: ["CFFTW", "CAnalytics", "VigilCharts", "VigilCore"]),
        .target(name: "VigilMedia", dependencies: [
            "CFFmpeg", "VigilCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "VigilVision", dependencies: [
            "CVision", "VigilCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "VigilMatching", dependencies: ["VigilCore"]),
        .target(name: "VigilAnalysis", dependencies: ["VigilCore", "VigilVision", "VigilMatching"]),
        .target(name: "VigilBehaviour", dependencies: ["VigilCore", "VigilVision", "VigilAnalysis"]),
        .target(name: "VigilPlates", dependencies: ["VigilCore"]),
        .target(name: "VigilConfig", dependencies: [
            "VigilCore", "VigilPlates",
            .product(name: "Yams", package: "Yams"),
        ]),
        // SQLite (GRDB) and, for everything but cases and crime data so far, PostgreSQL (postgres-nio) behind one API.
        .target(name: "VigilStore", dependencies: [
            "VigilCore", "VigilPlates", "VigilCluster",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Scale-out: nodes, and leases on cameras and hooks, in a shared PostgreSQL (postgres-nio).
        .target(name: "VigilCluster", dependencies: [
            "VigilCore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "VigilScan", dependencies: [
            "VigilCore", "VigilMedia", "VigilVision", "VigilMatching", "VigilAnalysis", "VigilPlates", "VigilStore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "VigilCrime", dependencies: [
            "CXGBoost", "CAnalytics", "VigilCore", "VigilConfig", "VigilStore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Resources")]),
        .target(name: "VigilHooks", dependencies: [
            "VigilCore", "VigilStore", "VigilConfig",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "VigilAPI", dependencies: [
            "VigilCore", "VigilPlates", "VigilStore", "VigilConfig", "VigilEEG", "VigilCharts",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.copy("Resources")]),
        .target(name: "VigilDaemon", dependencies: [
            "VigilCore", "VigilMedia", "VigilVision", "VigilMatching", "VigilAnalysis", "VigilPlates", "VigilStore", "VigilConfig", "VigilHooks", "VigilAPI", "VigilScan", "VigilEEG", "VigilCrime", "VigilBehaviour", "VigilCluster",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The command-line pieces both binaries share: the commands that need no vision (crime and EEG
        // included: they load OpenCV's ML, XGBoost and FFTW, not the camera stack), options, output.
        .target(name: "VigilCommandLine", dependencies: [
            "VigilCore", "VigilConfig", "VigilStore", "VigilHooks", "VigilPlates", "VigilCrime", "VigilEEG", "VigilCharts", "VigilCluster",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `vigil`: links no vision code, so everyday commands start fast; hands the rest to vigil-full.
        .executableTarget(name: "vigil", dependencies: [
            "VigilCommandLine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "vigil-full", dependencies: [
            "VigilCommandLine", "VigilCluster",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            "VigilDaemon", "VigilHooks",
            "VigilCore", "VigilMedia", "VigilVision", "VigilMatching", "VigilAnalysis", "VigilPlates", "VigilStore", "VigilScan", "VigilConfig", "VigilEEG", "VigilCrime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "VigilFuzz", dependencies: [
            "VigilAPI", "VigilConfig", "VigilCrime", "VigilEEG", "VigilMedia", "VigilPlates", "VigilScan",
        ]),
        // Tests: one target per module, so `swift test --filter VigilPlatesTests` builds and runs
        // only what it names; the fixtures every target shares (real processes, receivers, data).
        .target(name: "VigilTestSupport", dependencies: [
            "VigilCore", "VigilVision", "VigilConfig", "VigilHooks", "VigilStore", "VigilCluster",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/VigilTestSupport"),
        .testTarget(name: "VigilCoreTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilConfig", "VigilStore", "VigilFuzz", "VigilPlates",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["FuzzRegressions"]),
        .testTarget(name: "VigilMediaTests", dependencies: ["VigilTestSupport", "VigilCore", "VigilMedia"]),
        .testTarget(name: "VigilVisionTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilMedia", "VigilVision", "VigilMatching", "VigilAnalysis", "VigilScan", "VigilStore",
        ]),
        .testTarget(name: "VigilPlatesTests", dependencies: ["VigilTestSupport", "VigilCore", "VigilPlates"]),
        .testTarget(name: "VigilPlatesIntegrationTests", dependencies: ["VigilTestSupport", "VigilCore", "VigilPlates", "VigilScan", "VigilVision"]),
        .testTarget(name: "VigilAnalysisTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilVision", "VigilMatching", "VigilAnalysis", "VigilStore", "VigilDaemon",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VigilHooksTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilConfig", "VigilHooks", "VigilStore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "VigilAPITests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilConfig", "VigilStore", "VigilAPI", "VigilDaemon",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "VigilBehaviourTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilConfig", "VigilMedia", "VigilVision", "VigilBehaviour",
        ]),
        // One suite for the store's API, run against SQLite and PostgreSQL alike.
        .testTarget(name: "VigilStoreTests", dependencies: [
            "VigilTestSupport", "VigilStore", "VigilCluster", "VigilCore", "VigilPlates",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VigilClusterTests", dependencies: [
            "VigilTestSupport", "VigilCluster", "VigilCore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VigilEEGTests", dependencies: ["VigilTestSupport", "VigilEEG", "VigilMedia"]),
        .testTarget(name: "VigilCrimeTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilConfig", "VigilStore", "VigilCrime",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VigilDaemonTests", dependencies: [
            "VigilTestSupport", "VigilCore", "VigilStore", "VigilPlates", "VigilVision", "VigilAnalysis", "VigilDaemon", "VigilCluster",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// `scripts/fuzz.sh` sets VIGIL_FUZZ=1 to add the libFuzzer binary: its entry point is
// `LLVMFuzzerTestOneInput` and libFuzzer supplies `main`, so it exists only in that build.
if ProcessInfo.processInfo.environment["VIGIL_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "vigil-fuzz", dependencies: ["VigilFuzz"],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
