// swift-tools-version:5.9
// The antenna leads' app, for reviewing an antenna offline. Build the native library first
// (./build-xcframework.sh, on macOS), then `swift run JiranLead` or open project.yml with
// XcodeGen for the iOS app. See README.md.
import PackageDescription

let package = Package(
    name: "JiranLead",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "JiranCore", targets: ["JiranCore"]),
        .executable(name: "JiranLead", targets: ["JiranLead"]),
    ],
    targets: [
        // libjiran_bindings.a for each Apple platform, with the C header and module map that
        // scripts/bindgen generated (JiranCore/Sources/JiranCoreFFI/include).
        .binaryTarget(name: "JiranCoreFFI", path: "build/JiranCoreFFI.xcframework"),
        // The generated Swift API, committed; CI fails when it is not current.
        .target(
            name: "JiranCore",
            dependencies: ["JiranCoreFFI"],
            path: "JiranCore/Sources/JiranCore"
        ),
        .executableTarget(
            name: "JiranLead",
            dependencies: ["JiranCore"],
            path: "JiranLead"
        ),
    ]
)
