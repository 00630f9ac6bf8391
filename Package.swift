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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
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
        .executableTarget(
            name: "MailCanaryCLI",
            dependencies: [
                "MailCanaryCore",
                "MailProbing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
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
        .target(
            name: "MailCanaryTesting",
            dependencies: [
                "MailCanaryCore",
                "MailWire",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ExchangeTestServerCLI",
            dependencies: [
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
            name: "LabTests",
            dependencies: [
                "MailProbing",
                "MailCanaryTesting",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
