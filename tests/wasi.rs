//! The WASI 0.2 worlds, which use resources throughout, adapt completely:
//! one valid adapter for every function, which every engine loads. Their WIT comes from the
//! `wasmtime-wasi-http` crate (which ships `wit/` with `deps/`), found with
//! `cargo metadata` at test time (`support/wasi_wit.rs`).

use crate::harness::{load, Engine};
use fact::{ImportKind, ResourceOp};
use fact_core::wit_parser::{Resolve, WorldItem};
use std::path::{Path, PathBuf};

#[path = "support/wasi_wit.rs"]
mod wasi_wit;

/// The WASI WIT, found in this workspace's dependency graph.
fn wasi_wit() -> PathBuf {
    wasi_wit::wasi_wit(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/Cargo.toml"
    )))
}

fn function_count(resolve: &Resolve, world: fact_core::wit_parser::WorldId) -> usize {
    let w = &resolve.worlds[world];
    w.imports
        .values()
        .chain(w.exports.values())
        .map(|item| match item {
            WorldItem::Function(_) => 1,
            WorldItem::Interface { id, .. } => resolve.interfaces[*id].functions.len(),
            WorldItem::Type { .. } => 0,
        })
        .sum()
}

#[test]
fn wasi_cli_command_and_http_proxy_adapt_every_function() {
    let wit = wasi_wit();
    for (name, expected) in [("wasi:cli/command", 124), ("wasi:http/proxy", 83)] {
        let mut resolve = Resolve::default();
        let (pkg, _) = resolve.push_path(&wit).unwrap();
        let world = resolve.select_world(&[pkg], Some(name)).unwrap();
        let adapters = fact_core::adapt_world(&resolve, world, &Default::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        adapters.validate().unwrap();
        for engine in [Engine::Wasmtime, Engine::Wasmi] {
            load(engine, &adapters.wasm).unwrap_or_else(|e| panic!("{name} on {engine:?}: {e}"));
        }
        assert_eq!(
            adapters.exports.len(),
            function_count(&resolve, world),
            "{name}"
        );
        assert_eq!(adapters.exports.len(), expected, "{name}");
        // Methods pass `borrow<self>` to the resource's implementer.
        assert!(adapters.imports.iter().any(|i| matches!(
            i.kind,
            ImportKind::Resource {
                op: ResourceOp::BorrowRep,
                ..
            }
        )));
        assert!(!adapters.resources.is_empty());
        // The size target: at most 300 bytes per function for
        // `wasi:cli/command` (Wasmtime 48's fused adapters take 391).
        if name == "wasi:cli/command" {
            let per_function = adapters.wasm.len() / adapters.exports.len();
            assert!(
                per_function <= 300,
                "{name}: {per_function} bytes per function"
            );
        }
        println!(
            "{name}: {} adapters, {} bytes ({} per function), {} resource types",
            adapters.exports.len(),
            adapters.wasm.len(),
            adapters.wasm.len() / adapters.exports.len(),
            adapters.resources.len()
        );
    }
}
