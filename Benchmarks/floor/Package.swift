// swift-tools-version:6.1
// The floor under a durable scan on PostgreSQL (issue 16): Hummingbird and PostgresNIO doing the least a
// scan must do, so Benchmarks/run-floor.sh can measure it beside the bare server and ravao in one run.
import PackageDescription

let package = Package(
    name: "floor",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The versions the server uses (Package.swift at the root).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    ],
    targets: [
        .executableTarget(name: "floor", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
    ]
)
