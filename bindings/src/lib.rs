//! UniFFI bindings of `jiran-core` for Kotlin, Swift and Python.
//!
//! Not built yet (issue 5): this crate reserves its place in the workspace. It will map the
//! core's types and errors and hold no business logic.
