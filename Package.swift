// swift-tools-version: 6.1
import PackageDescription

// Numeric and I/O-heavy targets are optimized even in debug and test builds:
// unoptimized Swift array loops run ~70x slower, which would make the test
// suite and `swift run` useless on real survey sizes.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "qad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "qad", targets: ["qad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        // Already built for postgres-nio; the review app's token hashes use it.
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // C libraries from Debian (-dev packages), seen through pkg-config.
        .systemLibrary(name: "CCFITSIO", pkgConfig: "cfitsio",
                       providers: [.apt(["libcfitsio-dev"])]),
        .systemLibrary(name: "CHEALPix", pkgConfig: "chealpix",
                       providers: [.apt(["libchealpix-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy",
                       providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Layers, bottom up: vocabulary; formats; the stage libraries, which
        // take arrays and files and know no database; the store, which keeps
        // every stage's records; the pipeline, which runs each stage against
        // the store; the web app and the command line. docs/design-notes.md
        // has the map.
        .target(name: "QADCore", swiftSettings: optimized),
        .target(name: "QADFormats", dependencies: ["QADCore", "CCFITSIO", "CSnappy", "CZstd", "CZlib"],
                swiftSettings: optimized),
        .target(name: "QADSpectra", dependencies: ["QADCore", "CHEALPix"],
                swiftSettings: optimized),
        .target(name: "QADModel", dependencies: ["QADCore", "QADFormats", "COpenBLAS"],
                swiftSettings: optimized),
        .target(name: "QADDetect", dependencies: ["QADCore", "QADFormats", "QADModel", "COpenBLAS"],
                swiftSettings: optimized),
        .target(name: "QADCrossmatch", dependencies: ["QADCore", "QADFormats", "CHEALPix", "CCFITSIO"],
                swiftSettings: optimized),
        // Reviewers, label events, consensus and agreement.
        .target(name: "QADLabels", dependencies: ["QADCore"], swiftSettings: optimized),
        // Figures (SVG, PNG on an own rasterizer) of spectra and latent maps.
        .target(name: "QADPlot", dependencies: ["QADCore", "QADFormats", "QADModel", "QADDetect", "CZlib"],
                swiftSettings: optimized),
        .target(name: "QADExport", dependencies: ["QADCore", "QADFormats", "QADDetect", "QADCrossmatch", "QADLabels"],
                swiftSettings: optimized),
        .target(name: "QADStore",
                dependencies: ["QADCore", "QADFormats", "QADModel", "QADDetect", "QADCrossmatch", "QADLabels",
                               .product(name: "GRDB", package: "GRDB.swift"),
                               .product(name: "PostgresNIO", package: "postgres-nio")],
                swiftSettings: optimized),
        // One runner per stage: ingest, worker, simulate, inject, train, infer,
        // score, rank, evaluate, crossmatch, export, plot data.
        .target(name: "QADPipeline",
                dependencies: ["QADCore", "QADFormats", "QADSpectra", "QADModel", "QADDetect", "QADCrossmatch",
                               "QADLabels", "QADPlot", "QADExport", "QADStore"],
                swiftSettings: optimized),
        // The review web app: routes, sessions, static JS/CSS.
        .target(name: "QADReview",
                dependencies: ["QADCore", "QADStore", "QADPipeline", "QADModel", "QADDetect", "QADLabels", "QADPlot",
                               "QADCrossmatch",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "Logging", package: "swift-log")],
                exclude: ["Static"],
                swiftSettings: optimized,
                plugins: ["EmbedStaticFiles"]),
        // The review app's script and style sheet, built into the binary.
        .executableTarget(name: "qad-embed"),
        .plugin(name: "EmbedStaticFiles", capability: .buildTool(), dependencies: ["qad-embed"]),
        .executableTarget(name: "qad",
                          dependencies: ["QADPipeline", "QADModel", "QADDetect", "QADCrossmatch", "QADExport", "QADStore",
                                         "QADFormats", "QADSpectra", "QADCore", "QADPlot", "QADReview", "QADLabels",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Builds a scored synthetic store for the review load benchmark
        // (Benchmarks/bench_review.sh); test code, so never part of qad.
        .executableTarget(name: "qad-review-fixture",
                          dependencies: ["QADStoreFixtures",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Benchmarks/ReviewFixture"),

        // Test support: paths to ../shared/data, temporary folders, the
        // cross-check Python, a throwaway PostgreSQL; fixtures without a
        // database (a synthetic cache) and with one (a scored store).
        .target(name: "QADTestSupport", path: "Tests/QADTestSupport"),
        .target(name: "QADFixtures", dependencies: ["QADCore", "QADFormats", "QADModel"],
                path: "Tests/QADFixtures", swiftSettings: optimized),
        .target(name: "QADStoreFixtures",
                dependencies: ["QADCore", "QADFormats", "QADModel", "QADDetect", "QADStore", "QADFixtures"],
                path: "Tests/QADStoreFixtures", swiftSettings: optimized),
        .testTarget(name: "QADFormatsTests", dependencies: ["QADFormats", "QADCore", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADSpectraTests", dependencies: ["QADSpectra", "QADFormats", "QADCore", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADModelTests", dependencies: ["QADModel", "QADCore", "QADFormats", "QADFixtures", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADDetectTests", dependencies: ["QADDetect", "QADCore", "QADFormats", "QADModel", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADCrossmatchTests",
                    dependencies: ["QADCrossmatch", "QADExport", "QADFormats", "QADCore", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADPlotTests",
                    dependencies: ["QADPlot", "QADModel", "QADDetect", "QADFormats", "QADCore", "QADTestSupport", "CZlib"],
                    swiftSettings: optimized),
        .testTarget(name: "QADStoreTests",
                    dependencies: ["QADStore", "QADCore", "QADModel", "QADDetect", "QADCrossmatch", "QADLabels",
                                   "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADReviewTests",
                    dependencies: ["QADReview", "QADPipeline", "QADPlot", "QADStore", "QADStoreFixtures", "QADDetect",
                                   "QADLabels", "QADCore", "QADTestSupport",
                                   .product(name: "HummingbirdTesting", package: "hummingbird"),
                                   .product(name: "NIOCore", package: "swift-nio"),
                                   .product(name: "HTTPTypes", package: "swift-http-types")],
                    swiftSettings: optimized),
        .testTarget(name: "QADPipelineTests",
                    dependencies: ["QADPipeline", "QADStore", "QADFormats", "QADSpectra", "QADModel", "QADDetect",
                                   "QADCrossmatch", "QADExport", "QADLabels", "QADPlot", "QADCore", "QADFixtures",
                                   "QADStoreFixtures", "QADTestSupport"],
                    swiftSettings: optimized),
    ]
)
