// swift-tools-version:6.1
// The reference server for Benchmarks/run-ratio.sh: Hummingbird alone, answering "ok" on GET /.
// Ravao's figures are given as ratios to this one, measured in the same run on the same machine, so
// a busy or slow machine moves both and the ratio stays meaningful.
import PackageDescription

let package = Package(
    name: "bare",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The same framework version the server uses (Package.swift at the root).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    ],
    targets: [
        .executableTarget(name: "bare", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
    ]
)
