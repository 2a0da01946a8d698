//! Where the WASI 0.2 worlds' WIT is: the `wit/` directory (with `deps/`) of
//! the `wasmtime-wasi-http` crate, which the workspace lists as a never-built
//! dev-dependency so that `cargo metadata` downloads it. Shared, with
//! `#[path]`, by `tests/wasi.rs`, `benches/` and `fact-macro`'s tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `wit` directory of `wasmtime-wasi-http` in the dependency graph of
/// the workspace whose manifest is `manifest`.
pub fn wasi_wit(manifest: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8(out.stdout).expect("cargo metadata prints UTF-8");
    // `"manifest_path":"…/wasmtime-wasi-http-48.x.y/Cargo.toml"`
    let package = json
        .split("\"manifest_path\":\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').expect("a closing quote")])
        .find(|path| path.contains("wasmtime-wasi-http-"))
        .expect("wasmtime-wasi-http is in the dependency graph");
    Path::new(package)
        .parent()
        .expect("a manifest has a directory")
        .join("wit")
}
