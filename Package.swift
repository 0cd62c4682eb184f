// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sfu",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sfu", targets: ["Server"]),
        // For the separate benchmark package in Benchmarks/ (which depends on this one by path).
        .library(name: "SFU", targets: ["SFU"]),
        // Parser fuzzers (scripts/fuzz.sh builds them with libFuzzer; plain, they replay files).
        .executable(name: "sfu-fuzz", targets: ["Fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // C shim: OpenSSL (DTLS) and libsrtp2, with one-line wrappers for macros Swift cannot call.
        .target(
            name: "CDTLS",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("srtp2")]
        ),
        // C shim: usrsctp for WebRTC data channels.
        .target(name: "CSCTP", linkerSettings: [.linkedLibrary("usrsctp")]),
        .target(name: "DataChannel", dependencies: ["CSCTP"]),
        // C shim: libav (decode, encode, mux), libopus, libvpx for egress.
        .target(
            name: "CMedia",
            linkerSettings: [
                .linkedLibrary("avcodec"), .linkedLibrary("avformat"), .linkedLibrary("avutil"),
                .linkedLibrary("swscale"), .linkedLibrary("swresample"), .linkedLibrary("opus"), .linkedLibrary("vpx"),
            ]
        ),
        // C shim: zlib, to inflate the gzip-compressed join request of `/rtc/v1`.
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // Batched loopback UDP with per-datagram source addresses (the load tester's one socket).
        .target(name: "CDatagram"),
        // C shim: a SIGTERM/SIGINT handler that only counts (drain on stop signals).
        .target(name: "CSignals"),
        .target(name: "CMallocInfo"),
        .target(name: "RTP"),
        .target(name: "Egress", dependencies: ["RTP", "CMedia"]),
        .target(name: "Storage", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SDP"),
        .target(name: "ICE", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // AES-GCM for SRTP over swift-crypto's BoringSSL, behind a C shim whose header names no
        // BoringSSL type: BoringSSL's headers and OpenSSL's (CDTLS) cannot both be loaded into
        // one Swift module.
        .target(name: "CSRTPCipher", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "DTLS", dependencies: ["CDTLS", "CSRTPCipher"]),
        .target(
            name: "SFU",
            dependencies: [
                "RTP", "SDP", "ICE", "DTLS", "DataChannel", "CDatagram",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Signal",
            dependencies: [
                "SFU", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Proto"]
        ),
        .target(
            name: "Webhooks",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // RESP client for Redis over swift-nio (multi-node rooms, issue 10); see docs/redis-client.md.
        .target(
            name: "Redis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `sfu.toml`: parsed and validated (a library, so that the fuzzer can reach it).
        .target(
            name: "Config",
            dependencies: [
                "Signal", "Redis",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "CLI",
            dependencies: [
                "Signal",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `sfu load-test`: simulated LiveKit participants (our ICE, DTLS, SRTP, /rtc signalling).
        .target(
            name: "LoadTest",
            dependencies: [
                "RTP", "SDP", "ICE", "DTLS", "CMedia", "CDatagram", "Signal", "CLI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "Server",
            dependencies: [
                "SFU", "Signal", "Webhooks", "CLI", "Config", "Egress", "Storage", "LoadTest", "Redis", "CSignals", "CMallocInfo",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Web")]
        ),
        .executableTarget(
            name: "Fuzz",
            dependencies: ["RTP", "SDP", "ICE", "DataChannel", "Egress", "Signal", "Storage", "Config",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Fuzz/Harness"
        ),
        .testTarget(name: "RTPTests", dependencies: ["RTP"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ICETests", dependencies: ["ICE"]),
        .testTarget(name: "DTLSTests", dependencies: ["DTLS"]),
        .testTarget(
            name: "SFUTests",
            dependencies: [
                "SFU", "DTLS", "RTP", "SDP", "ICE", "CDatagram",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "DataChannelTests", dependencies: ["DataChannel"]),
        .testTarget(name: "SignalTests", dependencies: ["Signal"]),
        .testTarget(
            name: "WebhooksTests",
            dependencies: [
                "Webhooks",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "CLI", "Signal",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "LoadTestTests", dependencies: ["LoadTest", "CDatagram", "RTP", "ICE", "SDP", "DTLS"]),
        .testTarget(name: "EgressTests", dependencies: ["Egress", "CMedia", "RTP"]),
        .testTarget(
            name: "RedisTests",
            dependencies: [
                "Redis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "StorageTests", dependencies: ["Storage", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "Config", "Redis", .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "NIOEmbedded", package: "swift-nio")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
