//! Bad input is a `compile_error!` at the offending token, never a panic:
//! each `tests/ui/*.rs` must fail with exactly its `.stderr`. Regenerate
//! those with `TRYBUILD=overwrite` and review the diff.
//!
//! The cases live here rather than beside the integration tests: trybuild
//! builds them with this package's dev-dependencies, which are small (the
//! facade), so the suite costs seconds rather than a rebuild of an engine.

#[test]
fn macro_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
