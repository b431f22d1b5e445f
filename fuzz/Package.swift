// swift-tools-version:6.1
// libFuzzer targets for RabbitChat's decoders, kept out of the main package so the default
// `swift build` never builds them. Build and run them with scripts/fuzz, which passes
// `--sanitize=fuzzer`; libFuzzer supplies `main` and calls `LLVMFuzzerTestOneInput`.
import PackageDescription

let fuzzSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // No top-level code: libFuzzer's own `main` drives the target.
    .unsafeFlags(["-parse-as-library"]),
]

let package = Package(
    name: "rabbitchat-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "rabbitchat", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzClientFrameDecoder",
            dependencies: [.product(name: "ChatCore", package: "rabbitchat")],
            swiftSettings: fuzzSettings
        ),
        .executableTarget(
            name: "FuzzAMQPFrameDecoder",
            dependencies: [
                .product(name: "AMQP", package: "rabbitchat"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: fuzzSettings
        ),
    ]
)
