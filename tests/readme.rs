//! The README's "Use it in your crate" is a host that builds and runs:
//! `examples/readme` (a workspace member, built by `cargo test --workspace`
//! and run by the facade's doc test), whose `src/main.rs` must be the
//! README's code block, line for line, and whose dependency is the
//! README's.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_readme_host_is_examples_readme_line_for_line() {
    let readme = read("README.md");
    let main = read("examples/readme/src/main.rs");
    assert!(
        readme.contains(&format!("```rust\n{main}```")),
        "README.md's Rust block differs from examples/readme/src/main.rs"
    );
    assert!(readme.contains("fact = { version = \"0.1\", features = [\"wasmtime\"] }"));
    let manifest = read("examples/readme/Cargo.toml");
    assert!(manifest.contains("fact = { path = \"../..\", features = [\"wasmtime\"] }"));
}
