//! Adapter compilation for whole WASI 0.2 worlds, side by side with
//! Wasmtime's fused-adapter compiler.
//!
//! For `wasi:cli/command` and `wasi:http/proxy` (WIT of the
//! `wasmtime-wasi-http` 48.0.8 crate):
//!
//! - **ours**: `fact_core::adapt_world` (every function of the world,
//!   imports and exports) from a parsed `Resolve`; the module's bytes, bytes
//!   per function, and `wasmtime::Module::new` of the module.
//! - **Wasmtime**: `wasmtime_environ::component::Translator::translate` of a
//!   composed component (see `compose.rs`): a *provider* component exporting
//!   every interface the world imports, and the world's own *consumer*
//!   component importing them, both made by `wit-component` from its dummy
//!   core modules, instantiated one with the other's exports. Every imported
//!   function is then lifted by the provider and lowered by the consumer, and
//!   Wasmtime generates one fused adapter for each. The fused-adapter share
//!   is the composed translation's time minus the provider's and the
//!   consumer's translated alone (they contain no lift-to-lower pair).
//!   Translation validates the components, generates the adapter modules
//!   (FACT) and translates (validates, parses) those modules; their bytes
//!   are the modules the translation returns that are not part of the input.
//!   `wasmtime::Module::new` of those modules is measured too.
//!
//! Medians of `FACT_BENCH_SAMPLES` (default 21) runs, after one warm-up, of
//! the thread's CPU time. `FACT_BENCH_DUMP=dir` writes every module and
//! component; `FACT_BENCH_PROFILE=1` runs `adapt_world` alone in
//! `profile_region`, for callgrind's `--toggle-collect`.
//!
//! Then one very wide variant and record (`wide.rs`): generation time from
//! 1,000 to 40,000 cases or fields, which must grow linearly.
//!
//! `cargo bench --features bench --bench compile [wasi:cli/command | wide ..]`.

#[path = "../common/mod.rs"]
mod common;

mod compose;
mod wide;

use common::{ah, env_usize, median_time};
use fact_core::wit_parser::{Resolve, WorldId, WorldItem};
use std::time::Duration;
use wasmtime::{Engine, Module, Result};
use wasmtime_environ::component::{ComponentTypesBuilder, Translator};
use wasmtime_environ::wasmparser::{Validator, WasmFeatures};
use wasmtime_environ::{ScopeVec, Tunables};

/// Translates `component` as Wasmtime would (default `Config`, or the lean
/// one) and returns the bytes of the adapter modules it generated.
fn translate(component: &[u8], lean: bool) -> Vec<Vec<u8>> {
    let mut tunables = Tunables::default_host();
    tunables.concurrency_support = !lean;
    let mut features = WasmFeatures::default();
    features.set(WasmFeatures::EXCEPTIONS, !lean);
    let mut validator = Validator::new_with_features(features);
    let mut types = ComponentTypesBuilder::new(&validator);
    let scope = ScopeVec::new();
    let (_, modules) = Translator::new(&tunables, &mut validator, &mut types, &scope)
        .translate(component)
        .expect("Wasmtime translates the component");
    let input = component.as_ptr_range();
    modules
        .values()
        .filter(|m| !input.contains(&m.wasm.as_ptr()))
        .map(|m| m.wasm.to_vec())
        .collect()
}

/// Number of functions exported by core modules.
fn exported_functions(modules: &[Vec<u8>]) -> usize {
    use wasmparser::{ExternalKind, Parser, Payload};
    modules
        .iter()
        .map(|m| {
            Parser::new(0)
                .parse_all(m)
                .filter_map(|p| match p.expect("adapter modules parse") {
                    Payload::ExportSection(s) => Some(
                        s.into_iter()
                            .filter(|e| {
                                e.as_ref().expect("export parses").kind == ExternalKind::Func
                            })
                            .count(),
                    ),
                    _ => None,
                })
                .sum::<usize>()
        })
        .sum()
}

fn functions_of(resolve: &Resolve, items: &[&WorldItem]) -> usize {
    items
        .iter()
        .map(|item| match item {
            WorldItem::Function(_) => 1,
            WorldItem::Interface { id, .. } => resolve.interfaces[*id].functions.len(),
            WorldItem::Type { .. } => 0,
        })
        .sum()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Wasmtime {
    fused_share: Duration,
    composed: Duration,
    provider: Duration,
    consumer: Duration,
    adapters: usize,
    bytes: usize,
    modules: usize,
    module_new: Duration,
}

fn wasmtime_side(
    comps: &compose::Composed,
    engine: &Engine,
    lean: bool,
    samples: usize,
) -> Wasmtime {
    let composed = median_time(samples, || translate(&comps.composed, lean));
    let provider = median_time(samples, || translate(&comps.provider, lean));
    let consumer = median_time(samples, || translate(&comps.consumer, lean));
    assert!(translate(&comps.provider, lean).is_empty());
    assert!(translate(&comps.consumer, lean).is_empty());
    let adapter_modules = translate(&comps.composed, lean);
    let module_new = median_time(samples.min(7), || {
        for m in &adapter_modules {
            Module::new(engine, m).expect("Wasmtime's adapter module compiles");
        }
    });
    Wasmtime {
        fused_share: composed.saturating_sub(provider + consumer),
        composed,
        provider,
        consumer,
        adapters: exported_functions(&adapter_modules),
        bytes: adapter_modules.iter().map(Vec::len).sum(),
        modules: adapter_modules.len(),
        module_new,
    }
}

/// `runs` runs of `adapt_world` and nothing else, for `valgrind
/// --tool=callgrind --collect-atstart=no --toggle-collect='*profile_region*'`
/// (`FACT_BENCH_PROFILE=1`).
#[inline(never)]
fn profile_region(resolve: &Resolve, world: WorldId, runs: usize) {
    for _ in 0..runs {
        std::hint::black_box(
            fact_core::adapt_world(resolve, world, &Default::default()).expect("adapts"),
        );
    }
}

/// Writes the adapter modules and the components into `dir`, for a closer
/// look (`FACT_BENCH_DUMP=dir`).
fn dump(dir: &str, world: &str, ours: &[u8], comps: &compose::Composed) -> Result<()> {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let base = world.replace([':', '/'], "-");
    std::fs::write(dir.join(format!("{base}.fact.wasm")), ours)?;
    for (label, lean) in [("default", false), ("lean", true)] {
        for (i, m) in translate(&comps.composed, lean).iter().enumerate() {
            std::fs::write(dir.join(format!("{base}.wasmtime-{label}-{i}.wasm")), m)?;
        }
    }
    for (label, bytes) in [
        ("provider", &comps.provider),
        ("consumer", &comps.consumer),
        ("composed", &comps.composed),
    ] {
        std::fs::write(dir.join(format!("{base}.{label}.wasm")), bytes)?;
    }
    println!("wrote the modules of {world} to {}", dir.display());
    Ok(())
}

fn main() -> Result<()> {
    let filters = common::filters();
    let samples = env_usize("FACT_BENCH_SAMPLES", 21);
    let wit = common::wasi_wit();
    let default = Engine::new(&common::wasmtime_config(false))?;
    let lean = Engine::new(&common::wasmtime_config(true))?;
    println!("# adapter compilation: fact-core vs Wasmtime 48.0.8's Translator");
    println!("machine: {}", common::machine());
    println!("{}", common::default_config_note());
    println!("WIT: {}", wit.display());
    println!("{samples} samples, medians\n");
    let mut targets = Vec::new();
    for name in ["wasi:cli/command", "wasi:http/proxy"] {
        if !common::selected(&filters, name) {
            continue;
        }
        let mut resolve = Resolve::default();
        let (pkg, _) = ah(resolve.push_path(&wit))?;
        let world: WorldId = ah(resolve.select_world(&[pkg], Some(name)))?;
        let w = &resolve.worlds[world];
        let imported = functions_of(&resolve, &w.imports.values().collect::<Vec<_>>());
        let exported = functions_of(&resolve, &w.exports.values().collect::<Vec<_>>());

        // Ours.
        let adapters = fact_core::adapt_world(&resolve, world, &Default::default())?;
        adapters.validate()?;
        let generate = median_time(samples, || {
            fact_core::adapt_world(&resolve, world, &Default::default()).expect("adapts")
        });
        if std::env::var("FACT_BENCH_PROFILE").is_ok() {
            profile_region(&resolve, world, samples);
        }
        let n = adapters.exports.len();
        let module_new = median_time(samples.min(7), || {
            Module::new(&default, &adapters.wasm).expect("our adapter module compiles")
        });

        // Wasmtime's.
        let comps = compose::compose(&mut resolve, world)?;
        let wt = wasmtime_side(&comps, &default, false, samples);
        let wt_lean = wasmtime_side(&comps, &lean, true, samples);

        if let Ok(dir) = std::env::var("FACT_BENCH_DUMP") {
            dump(&dir, name, &adapters.wasm, &comps)?;
        }

        println!("## {name}: {imported} imported + {exported} exported functions");
        println!("| | adapters | generate ms | bytes | bytes/adapter | modules | Module::new ms |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        println!(
            "| fact-core `adapt_world` | {n} | {:.3} | {} | {} | 1 | {:.2} |",
            ms(generate),
            adapters.wasm.len(),
            adapters.wasm.len() / n,
            ms(module_new)
        );
        for (label, wt) in [("Wasmtime default", &wt), ("Wasmtime lean", &wt_lean)] {
            println!(
                "| {label}: fused-adapter share of `Translator` | {} | {:.3} | {} | {} | {} | {:.2} |",
                wt.adapters,
                ms(wt.fused_share),
                wt.bytes,
                wt.bytes / wt.adapters.max(1),
                wt.modules,
                ms(wt.module_new)
            );
        }
        for (label, wt) in [("default", &wt), ("lean", &wt_lean)] {
            println!(
                "\nWasmtime {label} Translator: composed {:.3} ms - provider {:.3} ms - consumer \
                 {:.3} ms = {:.3} ms for {} adapters ({:.1} us each; ours {:.1} us each)",
                ms(wt.composed),
                ms(wt.provider),
                ms(wt.consumer),
                ms(wt.fused_share),
                wt.adapters,
                ms(wt.fused_share) * 1e3 / wt.adapters.max(1) as f64,
                ms(generate) * 1e3 / n as f64,
            );
        }
        println!(
            "component sizes: provider {} B, consumer {} B, composed {} B\n",
            comps.provider.len(),
            comps.consumer.len(),
            comps.composed.len()
        );
        if name == "wasi:cli/command" {
            targets.push((
                format!("{name} generation vs Wasmtime's fused-adapter share (default)"),
                ms(generate),
                ms(wt.fused_share),
                " ms",
            ));
            targets.push((
                format!("{name} generation vs Wasmtime's fused-adapter share (lean)"),
                ms(generate),
                ms(wt_lean.fused_share),
                " ms",
            ));
            targets.push((
                format!(
                    "{name} bytes per adapter (Wasmtime {})",
                    wt.bytes / wt.adapters.max(1)
                ),
                (adapters.wasm.len() / n) as f64,
                300.0,
                " B",
            ));
        }
    }
    wide::run(&filters, samples.min(7));
    if !targets.is_empty() {
        println!("Targets:");
        for (name, value, bound, unit) in targets {
            println!(
                "  {} {name}: {value:.3}{unit} (target <= {bound:.3}{unit})",
                if value <= bound { "ok  " } else { "MISS" }
            );
        }
    }
    Ok(())
}
