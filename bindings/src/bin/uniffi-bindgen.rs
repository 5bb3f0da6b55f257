//! The UniFFI binding generator at the workspace's pinned UniFFI version, so generated
//! Kotlin, Swift and Python always match the scaffolding compiled into the library.
//! `scripts/bindgen` runs it; see ARCHITECTURE.md.

fn main() {
    uniffi::uniffi_bindgen_main()
}
