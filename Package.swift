// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode (complete strict concurrency)
/// plus the upcoming features the house style asks for.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "devopsdefender",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "devopsdefender", targets: ["CLI"]),
        .executable(name: "dd-bench", targets: ["Benchmarks"]),
        .executable(name: "dd-fuzz-quote", targets: ["QuoteParserFuzzer"]),
        .library(name: "Spec", targets: ["Spec"]),
        .library(name: "Encoding", targets: ["Encoding"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.36.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libyaml from the system (Debian: libyaml-dev). We drive its event parser ourselves so
        // that hostile input (alias bombs, deep nesting, tags) is refused before it costs anything,
        // and so every node keeps its exact line and column.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The one hex and the one base64url: a leaf, so that Attestation and Noise need not
        // depend on Spec to spell bytes.
        .target(
            name: "Encoding",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Spec",
            dependencies: [
                "CLibYAML",
                "Encoding",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // SQLite from the system (Debian: libsqlite3-dev), for the store's intent journal.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "Reconciler",
            dependencies: [
                "Spec",
                "Encoding",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded store (one control plane): the intent journal and the ingress cache in a
        // SQLite file, behind the Reconciler's ports.
        .target(
            name: "SQLiteStore",
            dependencies: ["CSQLite", "Reconciler", "Spec"],
            path: "Sources/Stores/SQLite",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProviderSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Providers/Common",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GCEProvider",
            dependencies: [
                "ProviderSupport",
                "Reconciler",
                "Spec",
                "Encoding",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Providers/GCE",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CloudflareProvider",
            dependencies: ["ProviderSupport", "Reconciler", "Spec", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Providers/Cloudflare",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Attestation",
            dependencies: [
                "Encoding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        // The simulated TDX issuer for local fleets and tests: its own target, so that only what
        // names it (the CLI behind --sim, the emulator, tests) can trust it.
        .target(
            name: "AttestationSimulation",
            dependencies: [
                "Attestation",
                "Encoding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Noise",
            dependencies: ["Encoding", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Registration",
            dependencies: ["Attestation", "Noise", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Agent",
            dependencies: [
                "Attestation", "Encoding", "Registration", "ProviderSupport", "Spec",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "Attestation", "Encoding", "Reconciler", "Registration", "Spec", "ProviderSupport", "Daemon", "SourceVerification",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // libgit2 from the system (Debian: libgit2-dev 1.5.1); the shim wraps what Swift cannot
        // call (the variadic git_libgit2_opts) and declares the custom socket stream's struct.
        // A sealed VM has no git binary: the product never spawns one.
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // The GitSource port's libgit2 adapter: clone/fetch over HTTPS (token in a header) and
        // local remotes, with one deadline per network operation.
        .target(
            name: "FleetSource",
            dependencies: ["CLibGit2", "Reconciler"],
            path: "Sources/Source/Git",
            swiftSettings: swiftSettings
        ),
        // Commit-signature (SSHSIG, allowed_signers) and webhook (X-Hub-Signature-256)
        // verification: pure, no IO.
        .target(
            name: "SourceVerification",
            dependencies: [
                "Encoding",
                "Reconciler",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Source/Verification",
            swiftSettings: swiftSettings
        ),
        // The GitOps daemon: the per-environment loop, its schedule, the revision policy and the
        // status. It sees the reconciler's ports only, never a provider or a store.
        .target(
            name: "Daemon",
            dependencies: [
                "Reconciler",
                "Spec",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Emulators",
            dependencies: [
                "Attestation",
                "Encoding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Spec",
                "Daemon",
                "FleetSource",
                "SourceVerification",
                "Encoding",
                "Attestation",
                "AttestationSimulation",
                "ProviderSupport",
                "Emulators",
                "GCEProvider",
                "CloudflareProvider",
                "Noise",
                "Reconciler",
                "SQLiteStore",
                "Registration",
                "ControlPlane",
                "Agent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "Spec", "Attestation", "AttestationSimulation", "Emulators", "ProviderSupport", "GCEProvider", "CloudflareProvider", "Noise",
                "Reconciler",
                "Registration", "ControlPlane", "Agent",
                "Daemon", "FleetSource", "SourceVerification", "SQLiteStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks",
            swiftSettings: swiftSettings
        ),
        // libFuzzer target for the quote parser; built with -sanitize=fuzzer by `make fuzz`.
        .executableTarget(
            name: "QuoteParserFuzzer",
            dependencies: ["Attestation"],
            path: "Fuzz/QuoteParser",
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: test data, interop peers, processes off the cooperative pool.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpecTests",
            dependencies: ["TestSupport", "Spec", "Encoding"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AttestationTests",
            dependencies: [
                "TestSupport",
                "Attestation",
                "AttestationSimulation",
                "Emulators",
                "Encoding",
                "ProviderSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["dcap_qvl_oracle.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProviderTests",
            dependencies: [
                "TestSupport", "ProviderSupport", "CloudflareProvider", "GCEProvider", "Emulators",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["cloudflare_sdk_interop.py", "gce_sdk_interop.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NoiseTests",
            dependencies: ["TestSupport", "Noise", "Encoding", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["noise_peer.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistrationTests",
            dependencies: [
                "Registration", "Attestation", "AttestationSimulation", "Noise", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FleetSourceTests",
            dependencies: ["FleetSource", "Reconciler"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SourceVerificationTests",
            dependencies: [
                "TestSupport", "SourceVerification", "Encoding", "Reconciler",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: ["TestSupport", "Daemon", "Reconciler", "Spec"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: [
                "TestSupport", "Reconciler", "Spec", "Emulators", "ProviderSupport", "GCEProvider", "CloudflareProvider",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: ["TestSupport", "SQLiteStore", "Reconciler", "Spec"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "TestSupport", "ControlPlane", "Agent", "Registration", "Attestation", "AttestationSimulation", "Emulators", "CloudflareProvider",
                "Encoding", "ProviderSupport", "Reconciler", "Spec", "Daemon", "SourceVerification",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The metrics through swift-metrics into a Prometheus registry, read back by
        // prometheus_client's parser.
        .testTarget(
            name: "MetricsTests",
            dependencies: [
                "TestSupport", "Daemon", "Reconciler", "Spec", "ControlPlane", "ProviderSupport", "CloudflareProvider", "Emulators",
                "SourceVerification",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["prometheus_parse.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "TestSupport", "CLI", "Attestation", "AttestationSimulation", "Emulators", "Encoding", "Reconciler", "ProviderSupport", "GCEProvider",
                "CloudflareProvider", "Daemon", "Registration", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
