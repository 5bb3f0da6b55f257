#!/usr/bin/env bash
# Builds build/JiranCoreFFI.xcframework (on macOS with Xcode): the Rust library for iOS
# devices, the iOS simulator and macOS, with the generated C header and module map.
set -euo pipefail
cd "$(dirname "$0")"
root=..
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  cargo build --manifest-path "$root/Cargo.toml" --release -p jiran-bindings --lib --target "$target"
done
lib() { echo "$root/target/$1/release/libjiran_bindings.a"; }
mkdir -p build/sim build/macos
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output build/sim/libjiran_bindings.a
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output build/macos/libjiran_bindings.a
headers=JiranCore/Sources/JiranCoreFFI/include
rm -rf build/JiranCoreFFI.xcframework
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$headers" \
  -library build/sim/libjiran_bindings.a -headers "$headers" \
  -library build/macos/libjiran_bindings.a -headers "$headers" \
  -output build/JiranCoreFFI.xcframework
echo "built build/JiranCoreFFI.xcframework"
