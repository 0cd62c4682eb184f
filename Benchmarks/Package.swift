// swift-tools-version:6.1
// The forwarding benchmarks (ordo-one/benchmark), kept out of the root package so that
// `make test` and CI never build them. Run from this folder, with its own scratch path:
//   cd Benchmarks && nice swift package --scratch-path ../.build-bench benchmark
import PackageDescription

// A path dependency's identity is its folder's name (`main` in /work/main, something else in
// another clone), so name the root package by where this manifest sits.
let rootPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map { $0.lowercased() } ?? "sfu"

let package = Package(
    name: "sfu-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        // The trait enables the malloc counters (mallocCountTotal); it needs tools 6.1.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "Forwarding",
            dependencies: [
                .product(name: "SFU", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/Forwarding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
