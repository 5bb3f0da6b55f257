//! End-to-end tests of Jiran across crates and processes. The tests live in `tests/tests/`;
//! helper programs they drive as separate processes live in `src/bin/`.
