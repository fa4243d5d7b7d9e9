// swift-tools-version: 6.0
import PackageDescription

// Numeric and I/O-heavy targets are optimized even in debug and test builds:
// unoptimized Swift array loops run ~70x slower, which would make the test
// suite and `swift run` useless on real survey sizes.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "qad",
    platforms: [.macOS(.v14)],
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

        .target(name: "QADCore", swiftSettings: optimized),
        .target(name: "QADFormats", dependencies: ["QADCore", "CCFITSIO", "CSnappy", "CZstd", "CZlib"],
                swiftSettings: optimized),
        .target(name: "QADSpectra", dependencies: ["QADCore", "CHEALPix"],
                swiftSettings: optimized),
        .target(name: "QADStore",
                dependencies: ["QADCore", "QADFormats", .product(name: "GRDB", package: "GRDB.swift"),
                               .product(name: "PostgresNIO", package: "postgres-nio")],
                swiftSettings: optimized),
        .target(name: "QADModel",
                dependencies: ["QADCore", "QADFormats", "QADStore", "COpenBLAS"],
                swiftSettings: optimized),
        .target(name: "QADDetect", dependencies: ["QADCore", "QADStore", "QADModel", "COpenBLAS"], swiftSettings: optimized),
        .target(name: "QADCrossmatch", dependencies: ["QADCore", "QADFormats", "QADStore", "CHEALPix", "CCFITSIO"],
                swiftSettings: optimized),
        .target(name: "QADExport", dependencies: ["QADCore", "QADFormats", "QADStore", "QADCrossmatch"],
                swiftSettings: optimized),
        .target(name: "QADPipeline",
                dependencies: ["QADCore", "QADFormats", "QADSpectra", "QADStore"],
                swiftSettings: optimized),
        // Figures (SVG, PNG on an own rasterizer) of spectra and latent maps.
        .target(name: "QADPlot", dependencies: ["QADCore", "QADFormats", "QADStore", "QADModel", "CZlib", "QADDetect"],
                swiftSettings: optimized),
        // The review web app: routes, sessions, static JS/CSS.
        .target(name: "QADReview",
                dependencies: ["QADCore", "QADStore", "QADModel", "QADPlot", "QADCrossmatch",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "Logging", package: "swift-log")],
                resources: [.copy("Static")],
                swiftSettings: optimized),
        .executableTarget(name: "qad",
                          dependencies: ["QADPipeline", "QADModel", "QADDetect", "QADCrossmatch", "QADExport", "QADStore", "QADFormats",
                                         "QADSpectra", "QADCore", "QADPlot", "QADReview",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Paths to ../shared/data, temporary folders, the cross-check Python.
        .target(name: "QADTestSupport", path: "Tests/QADTestSupport"),
        .testTarget(name: "QADFormatsTests", dependencies: ["QADFormats", "QADTestSupport"], swiftSettings: optimized),
        .testTarget(name: "QADSpectraTests", dependencies: ["QADSpectra", "QADFormats", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADStoreTests", dependencies: ["QADStore", "QADTestSupport"], swiftSettings: optimized),
        .testTarget(name: "QADModelTests", dependencies: ["QADModel", "QADStore", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADDetectTests", dependencies: ["QADDetect", "QADStore", "QADCore", "QADFormats", "QADTestSupport"],
                    swiftSettings: optimized),
        .testTarget(name: "QADCrossmatchTests",
                    dependencies: ["QADCrossmatch", "QADExport", "QADStore", "QADFormats", "QADCore", "QADTestSupport"], swiftSettings: optimized),
        .testTarget(name: "QADPlotTests", dependencies: ["QADPlot", "QADStore", "QADModel", "QADFormats", "QADTestSupport", "CZlib"],
                    swiftSettings: optimized),
        .testTarget(name: "QADReviewTests",
                    dependencies: ["QADReview", "QADPlot", "QADStore", "QADTestSupport",
                                   .product(name: "HummingbirdTesting", package: "hummingbird"),
                                   .product(name: "NIOCore", package: "swift-nio"),
                                   .product(name: "HTTPTypes", package: "swift-http-types")],
                    swiftSettings: optimized),
        .testTarget(name: "QADPipelineTests",
                    dependencies: ["QADPipeline", "QADStore", "QADFormats", "QADSpectra", "QADTestSupport"],
                    swiftSettings: optimized),
    ]
)
