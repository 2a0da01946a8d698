//! The runtime split: what a host binary links holds nothing of the
//! compiler. `fact-host` depends on no crate that reads or writes wasm or
//! WIT, and the example host's normal dependencies (proc macros, which run
//! at build time only, left out) hold no compiler crate.

use std::process::Command;

/// The packages of `cargo tree -p <package> -e <edges>`, without versions.
fn tree(package: &str, edges: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "-p", package, "-e", edges, "--prefix", "none"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_runtime_crate_depends_on_no_wasm_or_wit_crate() {
    let deps = tree("fact-host", "normal");
    assert!(deps.contains(&"fact-host".to_string()), "{deps:?}");
    for compiler in ["wit-parser", "wasm-encoder", "wasmparser", "fact-core"] {
        assert!(
            !deps.iter().any(|d| d == compiler),
            "fact-host depends on {compiler}: {deps:?}"
        );
    }
}

#[test]
fn the_example_host_links_no_compiler_crate() {
    let deps = tree("hello", "normal,no-proc-macro");
    for runtime in ["fact", "fact-host", "fact-wasmtime", "fact-wasmi"] {
        assert!(deps.iter().any(|d| d == runtime), "no {runtime}: {deps:?}");
    }
    for compiler in ["fact-core", "fact-macro", "wit-parser"] {
        assert!(
            !deps.iter().any(|d| d == compiler),
            "hello links {compiler}: {deps:?}"
        );
    }
}
