// swift-tools-version:6.0
import PackageDescription

// Module layout follows the pipeline of DESIGN.md in data-flow order:
// core (vocabulary) → wire (codecs) → probing (probers) → CLI.
// Later modules (storage, ingest, detection, notification, web, server, agent) join here.

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "MailCanary",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mailcanary", targets: ["MailCanaryCLI"]),
        .executable(name: "mailcanary-bench", targets: ["MailCanaryBench"]),
        .executable(name: "exchange-test-server", targets: ["ExchangeTestServerCLI"]),
        .executable(name: "mailcanary-watch-bench", targets: ["MailCanaryWatchBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
    ],
    targets: [
        // c-ares for DNS queries, glibc's libresolv for walking answers (Debian: libc-ares-dev).
        .systemLibrary(
            name: "CAres",
            providers: [.apt(["libc-ares-dev"])]
        ),
        .target(
            name: "MailCanaryCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MailWire",
            dependencies: [
                "MailCanaryCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MailProbing",
            dependencies: [
                "MailCanaryCore",
                "MailWire",
                "CAres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration: the YAML file, its defaults and its validation, in one place.
        .target(
            name: "MailCanaryConfig",
            dependencies: [
                "MailCanaryCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Storage: store protocols in domain terms; SQLite (GRDB) and PostgreSQL (postgres-nio).
        .target(
            name: "MailCanaryStorage",
            dependencies: [
                "MailCanaryCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Detection: baselines, statistical tests, anomalies, correlation into incidents (pure, clock-injected).
        .target(
            name: "MailCanaryDetection",
            dependencies: ["MailCanaryCore"],
            swiftSettings: swiftSettings
        ),
        // Ingest: telemetry NDJSON and scenario records, mail-server logs, reports, advisories; replay.
        .target(
            name: "MailCanaryIngest",
            dependencies: ["MailCanaryCore", "MailCanaryDetection"],
            swiftSettings: swiftSettings
        ),
        // Web: the dashboard, the public status page, the Atom feed and the post-incident report,
        // rendered by the server from values (no script, no CDN).
        .target(
            name: "MailCanaryWeb",
            dependencies: ["MailCanaryCore", "MailCanaryDetection"],
            swiftSettings: swiftSettings
        ),
        // The watch loop: schedule, probe runner, agent spool and uploader.
        .target(
            name: "MailCanaryWatch",
            dependencies: [
                "MailCanaryCore",
                "MailProbing",
                "MailCanaryConfig",
                "MailCanaryStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Notification: plan transitions into a durable outbox (mute, dedup, route), deliver with
        // retries; one file per channel (webhook, Slack, Teams, e-mail over the project's SMTP client).
        .target(
            name: "MailCanaryNotify",
            dependencies: [
                "MailCanaryCore",
                "MailCanaryDetection",
                "MailWire",
                "MailProbing",
                "MailCanaryConfig",
                "MailCanaryStorage",
                "MailCanaryWatch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Advisories: the Microsoft Graph service communications poller (app-only OAuth2 with a
        // secret or a certificate, paging, throttling, a request budget per tenant).
        .target(
            name: "MailCanaryAdvisories",
            dependencies: [
                "MailCanaryCore",
                "MailCanaryConfig",
                "MailCanaryIngest",
                "MailCanaryWatch",
                "MailCanaryStorage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server: composition root, HTTP API, agent endpoints, /metrics.
        .target(
            name: "MailCanaryServer",
            dependencies: [
                "MailCanaryCore",
                "MailCanaryDetection",
                "MailCanaryIngest",
                "MailProbing",
                "MailCanaryConfig",
                "MailCanaryStorage",
                "MailCanaryWatch",
                "MailCanaryWeb",
                "MailCanaryNotify",
                "MailCanaryAdvisories",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MailCanaryCLI",
            dependencies: [
                "MailCanaryCore",
                "MailCanaryDetection",
                "MailCanaryIngest",
                "MailProbing",
                "MailCanaryConfig",
                "MailCanaryStorage",
                "MailCanaryWatch",
                "MailCanaryServer",
                "MailCanaryWeb",
                "MailCanaryNotify",
                "MailCanaryAdvisories",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MailCanaryBench",
            dependencies: [
                "MailCanaryCore",
                "MailProbing",
                "MailWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MailCanaryWatchBench",
            dependencies: [
                "MailCanaryCore",
                "MailCanaryConfig",
                "MailCanaryIngest",
                "MailCanaryDetection",
                "MailCanaryStorage",
                "MailCanaryWatch",
                "MailCanaryServer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MailCanaryTesting",
            dependencies: [
                "MailCanaryCore",
                "MailWire",
                "MailProbing",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ExchangeTestServerCLI",
            dependencies: [
                "MailCanaryIngest",
                "MailCanaryTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryCoreTests",
            dependencies: ["MailCanaryCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailWireTests",
            dependencies: [
                "MailWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailProbingTests",
            dependencies: [
                "MailProbing",
                "MailCanaryTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryConfigTests",
            dependencies: ["MailCanaryConfig"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryStorageTests",
            dependencies: [
                "MailCanaryStorage",
                "MailCanaryCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryDetectionTests",
            dependencies: ["MailCanaryDetection", "MailCanaryIngest", "MailCanaryCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryServerTests",
            dependencies: [
                "MailCanaryServer", "MailCanaryDetection", "MailCanaryStorage", "MailCanaryCore", "MailCanaryConfig", "MailCanaryTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryWebTests",
            dependencies: ["MailCanaryWeb", "MailCanaryDetection", "MailCanaryIngest", "MailCanaryCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryWatchTests",
            dependencies: ["MailCanaryWatch", "MailCanaryCore", "MailCanaryConfig", "MailCanaryStorage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryNotifyTests",
            dependencies: [
                "MailCanaryNotify", "MailCanaryCore", "MailCanaryConfig", "MailCanaryStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailCanaryAdvisoriesTests",
            dependencies: [
                "MailCanaryAdvisories", "MailCanaryCore", "MailCanaryConfig", "MailCanaryTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LabTests",
            dependencies: [
                "MailProbing",
                "MailCanaryNotify",
                "MailCanaryConfig",
                "MailCanaryTesting",
                "MailCanaryStorage",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
