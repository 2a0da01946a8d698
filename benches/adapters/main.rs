//! Adapter execution, side by side with Wasmtime's own fused adapters.
//!
//! For every case (a WIT function and a value), in one process and on the
//! same core modules (see `modules.rs`):
//!
//! - **ours**: the caller's main module calls the `fact-core` adapter, linked
//!   with `fact_wasmtime::AdapterLinker` in Wasmtime's core-wasm
//!   API, which calls the callee's core `f` (host intrinsics included:
//!   `transcode` imports validate and copy strings);
//! - **wt**: the same core modules in a component (`canon lower` in the
//!   caller, `canon lift` in the callee), run by Wasmtime's component runtime
//!   with its fused adapter, with `Config::new()`;
//! - **lean**: the same with `concurrency_support(false)` and
//!   `wasm_exceptions(false)`;
//! - **limit**: the same loop doing per iteration one `memory.copy` of the
//!   case's bytes from the caller's memory into the callee's and one plain
//!   core call of the callee's `f` (another instance); for the scalar call
//!   the plain call alone, and also two plain calls through an instance that
//!   only forwards (the least an adapter in an instance of its own costs).
//!
//! Then calls of `async` functions, against Wasmtime's async adapters and
//! runtime (`async_calls.rs`: cases `async u32` and `async string 64 B`).
//!
//! After the table, the SIMD kernel that each non-ASCII string case of the
//! largest size needs runs alone on host buffers (`kernels.rs`): the floor
//! of any adapter on that text.
//!
//! The caller loops inside wasm (`run(k)`: `k` calls per host entry), so the
//! host entry is amortised. Each path is calibrated to about
//! `FACT_BENCH_SAMPLE_MS` (default 5) ms per sample; the paths take turns
//! for `FACT_BENCH_SAMPLES` (default 15) samples, and the table gives medians.
//! Before timing, one call on every path must deliver the expected bytes
//! (the callee hashes what it received).
//!
//! `cargo bench --features bench --bench adapters [-- FILTER...]`; a filter
//! selects the cases whose name contains all its words (also
//! `FACT_BENCH_FILTER=a,b`); `FACT_BENCH_SIZES=64,1M` picks the sizes
//! (default `0,64,4K,1M`); `FACT_BENCH_DUMP=dir` writes our adapter (WAT,
//! and compiled, for `objdump -d`) and the component of every case run;
//! `FACT_BENCH_PERFMAP=1` names the compiled wasm functions for `perf`;
//! `FACT_BENCH_WASMI=1` also runs every case on the wasmi interpreter
//! (`on_wasmi.rs`), with `short_strings` at its default and at 0, beside
//! wasmi's own limit, in a second table.
//! Without `--features bench` Wasmtime is built without concurrency support
//! and exceptions, and "wt" is the lean config. Times are the thread's CPU time: the machine may be shared.
//! `FACT_BENCH_PROFILE=ours` (or `wt`, `lean`, `limit`) also runs
//! `FACT_BENCH_PROFILE_CALLS` (default 1000) calls of that path in
//! `profile_region`, for `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*profile_region*'`.

#[path = "../common/mod.rs"]
mod common;

mod async_calls;
mod cases;
mod kernels;
mod modules;
mod on_wasmi;

use cases::{Case, Input, Kind, DATA};
use common::{env_usize, median};
use fact_core::wit_parser::Resolve;
use fact_core::{Adapter, AdapterCompiler, CanonOptions, InstanceId, DEFAULT_SHORT_STRINGS};
use fact_wasmtime::AdapterLinker;
use wasmtime::component::{Component, Linker as ComponentLinker};
use wasmtime::{Engine, Instance, Linker, Module, Result, Store, TypedFunc};

/// The caller's instance number for `fact-core`.
const CALLER: u32 = 0;
/// The callee's.
const CALLEE: u32 = 1;

/// One way of running a case: `run(k)` and, after a call, the callee's
/// digest of what it received.
trait Path {
    fn run(&mut self, k: u32) -> Result<u32>;
    fn digest(&mut self) -> Result<u64>;
}

/// Core instances (ours, and the limit).
struct CorePath {
    store: Store<()>,
    run: TypedFunc<u32, u32>,
    digest: TypedFunc<(), i64>,
}

impl Path for CorePath {
    fn run(&mut self, k: u32) -> Result<u32> {
        self.run.call(&mut self.store, k)
    }
    fn digest(&mut self) -> Result<u64> {
        Ok(self.digest.call(&mut self.store, ())? as u64)
    }
}

/// A component in Wasmtime's runtime.
struct ComponentPath {
    store: Store<()>,
    run: wasmtime::component::TypedFunc<(u32,), (u32,)>,
    digest: wasmtime::component::TypedFunc<(), (u64,)>,
}

impl Path for ComponentPath {
    fn run(&mut self, k: u32) -> Result<u32> {
        Ok(self.run.call(&mut self.store, (k,))?.0)
    }
    fn digest(&mut self) -> Result<u64> {
        Ok(self.digest.call(&mut self.store, ())?.0)
    }
}

/// Compiles our adapter for the case's `f`.
fn compile_ours(case: &Case, short_strings: u32) -> Result<fact_core::Adapters> {
    let mut resolve = Resolve::default();
    let pkg = common::ah(resolve.push_str("bench.wit", &case.wit()))?;
    let iface = resolve.packages[pkg].interfaces["i"];
    let function = resolve.interfaces[iface].functions["f"].clone();
    let (lower, lift) = case.encodings();
    let mut compiler = AdapterCompiler::new(&resolve);
    compiler.short_strings(short_strings);
    compiler.adapt(Adapter {
        name: "f".into(),
        interface: Some("bench:b/i".into()),
        function: &function,
        lift: CanonOptions::new(InstanceId(CALLEE)).string_encoding(lift),
        lower: CanonOptions::new(InstanceId(CALLER)).string_encoding(lower),
    })?;
    Ok(compiler.finish()?)
}

/// Writes the caller's data where its `realloc` would have put it, and what
/// `load` records.
fn load_core(store: &mut Store<()>, rt: &Instance, input: &Input) -> Result<()> {
    let memory = rt
        .get_memory(&mut *store, "memory")
        .expect("runtime exports its memory");
    let mem = memory.data_mut(&mut *store);
    mem[DATA as usize..][..input.data.len()].copy_from_slice(&input.data);
    mem[0..4].copy_from_slice(&DATA.to_le_bytes());
    mem[4..8].copy_from_slice(&input.arg.to_le_bytes());
    Ok(())
}

/// Ours: runtime, callee, adapter module, main.
fn ours(engine: &Engine, case: &Case, input: &Input) -> Result<(CorePath, usize)> {
    let adapters = compile_ours(case, DEFAULT_SHORT_STRINGS)?;
    let mut store = Store::new(engine, ());
    let rt = Instance::new(&mut store, &Module::new(engine, modules::runtime())?, &[])?;
    let callee = Instance::new(
        &mut store,
        &Module::new(engine, modules::callee(case))?,
        &[],
    )?;
    let f = callee.get_func(&mut store, "f").expect("callee exports f");
    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, CALLER, &rt)
        .instance_exports(&mut store, CALLEE, &callee)
        .callee("f", f);
    let module = Module::new(engine, &adapters.wasm)?;
    let linked = linker.instantiate(&mut store, &module, &adapters.imports, &adapters.exports)?;
    let mut main = Linker::new(engine);
    main.instance(&mut store, "rt", rt)?;
    main.instance(&mut store, "adapters", linked.instance)?;
    let main = main.instantiate(&mut store, &Module::new(engine, modules::main(case))?)?;
    load_core(&mut store, &rt, input)?;
    let run = main.get_typed_func(&mut store, "run")?;
    let digest = callee.get_typed_func(&mut store, "digest")?;
    Ok((CorePath { store, run, digest }, adapters.wasm.len()))
}

/// The limit: `memory.copy` and a plain call, same loop.
fn limit(engine: &Engine, case: &Case, input: &Input) -> Result<CorePath> {
    let mut store = Store::new(engine, ());
    let rt = Instance::new(&mut store, &Module::new(engine, modules::runtime())?, &[])?;
    let callee = Instance::new(
        &mut store,
        &Module::new(engine, modules::callee(case))?,
        &[],
    )?;
    let mut linker = Linker::new(engine);
    linker.instance(&mut store, "rt", rt)?;
    linker.instance(&mut store, "callee", callee)?;
    let module = Module::new(engine, modules::limit(case, input.bytes))?;
    let main = linker.instantiate(&mut store, &module)?;
    load_core(&mut store, &rt, input)?;
    let run = main.get_typed_func(&mut store, "run")?;
    let digest = callee.get_typed_func(&mut store, "digest")?;
    Ok(CorePath { store, run, digest })
}

/// For the scalar case: the caller's main module calling the callee's `f`
/// through a module that only forwards the call (two plain calls between
/// instances, the least an adapter in an instance of its own costs).
fn relay(engine: &Engine, case: &Case, input: &Input) -> Result<CorePath> {
    let mut store = Store::new(engine, ());
    let rt = Instance::new(&mut store, &Module::new(engine, modules::runtime())?, &[])?;
    let callee = Instance::new(
        &mut store,
        &Module::new(engine, modules::callee(case))?,
        &[],
    )?;
    let mut linker = Linker::new(engine);
    linker.instance(&mut store, "callee", callee)?;
    let relay = linker.instantiate(&mut store, &Module::new(engine, modules::relay())?)?;
    let mut linker = Linker::new(engine);
    linker.instance(&mut store, "rt", rt)?;
    linker.instance(&mut store, "adapters", relay)?;
    let main = linker.instantiate(&mut store, &Module::new(engine, modules::main(case))?)?;
    load_core(&mut store, &rt, input)?;
    let run = main.get_typed_func(&mut store, "run")?;
    let digest = callee.get_typed_func(&mut store, "digest")?;
    Ok(CorePath { store, run, digest })
}

/// Wasmtime's component runtime and its fused adapter.
fn wasmtime_path(engine: &Engine, component: &Component, input: &Input) -> Result<ComponentPath> {
    let mut store = Store::new(engine, ());
    let instance = ComponentLinker::new(engine).instantiate(&mut store, component)?;
    let load = instance.get_typed_func::<(&[u8], u32), ()>(&mut store, "load")?;
    load.call(&mut store, (&input.data, input.arg))?;
    let run = instance.get_typed_func(&mut store, "run")?;
    let digest = instance.get_typed_func(&mut store, "digest")?;
    Ok(ComponentPath { store, run, digest })
}

/// One call must deliver the expected value.
fn check(path: &mut dyn Path, case: &Case, input: &Input, what: &str) -> Result<()> {
    if case.kind == Kind::Scalar {
        let k = 1000;
        let got = path.run(k)?;
        let want = k * (k + 1) / 2;
        if got != want {
            wasmtime::bail!(
                "{what}: {}: run({k}) returned {got}, expected {want}",
                case.name
            );
        }
    } else {
        path.run(1)?;
        let got = path.digest()?;
        if got != input.digest {
            wasmtime::bail!(
                "{what}: {}: the callee received something else (digest {got:#x}, expected {:#x})",
                case.name,
                input.digest
            );
        }
    }
    Ok(())
}

/// Calls per sample so that one sample takes about `sample_ns`.
fn calibrate(path: &mut dyn Path, sample_ns: f64) -> Result<u32> {
    let mut k = 1u32;
    loop {
        let (t, r) = common::time(|| path.run(k));
        r?;
        let ns = t.as_nanos() as f64;
        if ns >= sample_ns / 8.0 || k >= 1 << 26 {
            return Ok(
                (f64::from(k) * sample_ns / ns.max(1.0)).clamp(1.0, f64::from(1u32 << 28)) as u32,
            );
        }
        k *= 2;
    }
}

/// Median ns per call of each path; the paths take turns.
fn measure(paths: &mut [&mut dyn Path], samples: usize, sample_ns: f64) -> Result<Vec<f64>> {
    let ks = paths
        .iter_mut()
        .map(|p| calibrate(*p, sample_ns))
        .collect::<Result<Vec<_>>>()?;
    let mut ns: Vec<Vec<f64>> = vec![Vec::with_capacity(samples); paths.len()];
    for _ in 0..samples {
        for ((path, k), ns) in paths.iter_mut().zip(&ks).zip(&mut ns) {
            let (t, r) = common::time(|| path.run(*k));
            std::hint::black_box(r?);
            ns.push(t.as_nanos() as f64 / f64::from(*k));
        }
    }
    Ok(ns.iter_mut().map(|v| median(v)).collect())
}

/// `k` calls of one path, alone: under `valgrind --tool=callgrind
/// --collect-atstart=no --toggle-collect='*profile_region*'` with
/// `FACT_BENCH_PROFILE=ours` (or `wt`, `lean`, `limit`), the profile holds
/// those calls and nothing else.
#[inline(never)]
fn profile_region(path: &mut dyn Path, k: u32) -> Result<u32> {
    path.run(k)
}

/// One row of the table.
#[derive(Debug, Clone)]
struct Row {
    case: Case,
    bytes: usize,
    elements: usize,
    ours: f64,
    wt: f64,
    lean: f64,
    limit: f64,
    /// Scalar case: two plain calls (through a forwarding instance).
    relay: Option<f64>,
    /// On wasmi (`FACT_BENCH_WASMI=1`): ours with the default
    /// `short_strings`, ours with 0, and the limit.
    wasmi: Option<[f64; 3]>,
    adapter_bytes: usize,
}

/// Writes our adapter module (as WAT, and compiled by `engine` as an ELF
/// object for `objdump -d`) and the case's component into `dir`
/// (`FACT_BENCH_DUMP=dir`), for a closer look.
fn dump(engine: &Engine, dir: &str, case: &Case) -> Result<()> {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let base: String = case
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let wasm = compile_ours(case, DEFAULT_SHORT_STRINGS)?.wasm;
    let wat = common::ah(wasmprinter::print_bytes(&wasm))?;
    std::fs::write(dir.join(format!("{base}.fact.wat")), wat)?;
    std::fs::write(
        dir.join(format!("{base}.fact.cwasm")),
        engine.precompile_module(&wasm)?,
    )?;
    std::fs::write(
        dir.join(format!("{base}.component.wat")),
        modules::component(case),
    )?;
    Ok(())
}

fn run_case(engines: &Engines, case: &Case, samples: usize, sample_ns: f64) -> Result<Row> {
    if let Ok(dir) = std::env::var("FACT_BENCH_DUMP") {
        dump(&engines.default, &dir, case)?;
    }
    let input = case.input();
    let wat = modules::component(case);
    let default = Component::new(&engines.default, &wat)?;
    let lean = Component::new(&engines.lean, &wat)?;
    let (mut ours, adapter_bytes) = ours(&engines.default, case, &input)?;
    let mut wt = wasmtime_path(&engines.default, &default, &input)?;
    let mut wt_lean = wasmtime_path(&engines.lean, &lean, &input)?;
    let mut limit = limit(&engines.default, case, &input)?;
    check(&mut ours, case, &input, "ours")?;
    check(&mut wt, case, &input, "Wasmtime")?;
    check(&mut wt_lean, case, &input, "Wasmtime lean")?;
    if let Ok(which) = std::env::var("FACT_BENCH_PROFILE") {
        let path: &mut dyn Path = match which.as_str() {
            "ours" => &mut ours,
            "wt" => &mut wt,
            "lean" => &mut wt_lean,
            "limit" => &mut limit,
            other => {
                wasmtime::bail!("FACT_BENCH_PROFILE={other}: expected ours, wt, lean or limit")
            }
        };
        let k = env_usize("FACT_BENCH_PROFILE_CALLS", 1000) as u32;
        profile_region(path, k)?;
    }
    let mut relay = match case.kind {
        Kind::Scalar => Some(relay(&engines.default, case, &input)?),
        _ => None,
    };
    let mut wasmi = match &engines.wasmi {
        Some(engine) => {
            let mut p = [
                on_wasmi::ours(engine, case, &input, DEFAULT_SHORT_STRINGS)?,
                on_wasmi::ours(engine, case, &input, 0)?,
                on_wasmi::limit(engine, case, &input)?,
            ];
            // The limit moves the source's bytes as they are: like the
            // Wasmtime limit, it is not checked.
            for (path, what) in p.iter_mut().zip(["wasmi ours", "wasmi ours 0"]) {
                check(path, case, &input, what)?;
            }
            Some(p)
        }
        None => None,
    };
    let mut paths: Vec<&mut dyn Path> = vec![&mut ours, &mut wt, &mut wt_lean, &mut limit];
    if let Some(wasmi) = &mut wasmi {
        paths.extend(wasmi.iter_mut().map(|p| p as &mut dyn Path));
    }
    if let Some(relay) = &mut relay {
        check(relay, case, &input, "relay")?;
        paths.push(relay);
    }
    let ns = measure(&mut paths, samples, sample_ns)?;
    let wasmi_ns = wasmi.as_ref().map(|_| [ns[4], ns[5], ns[6]]);
    let relay_at = if wasmi.is_some() { 7 } else { 4 };
    Ok(Row {
        case: case.clone(),
        bytes: input.bytes,
        elements: input.elements,
        ours: ns[0],
        wt: ns[1],
        lean: ns[2],
        limit: ns[3],
        relay: ns.get(relay_at).copied(),
        wasmi: wasmi_ns,
        adapter_bytes,
    })
}

struct Engines {
    default: Engine,
    lean: Engine,
    /// With `FACT_BENCH_WASMI=1`.
    wasmi: Option<fact_wasmi::wasmi::Engine>,
}

/// `64`, `4K`, `1M`.
fn parse_size(s: &str) -> usize {
    let s = s.trim();
    let (n, unit) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 1 << 10),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1 << 20),
        _ => (s, 1),
    };
    n.parse::<usize>()
        .unwrap_or_else(|_| panic!("bad size {s:?} in FACT_BENCH_SIZES"))
        * unit
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 100_000.0 {
        format!("{:.0}", ns)
    } else if ns >= 100.0 {
        format!("{:.1}", ns)
    } else {
        format!("{:.2}", ns)
    }
}

fn gbps(bytes: usize, ns: f64) -> String {
    if bytes == 0 {
        "-".into()
    } else {
        format!("{:.2}", bytes as f64 / ns)
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "| case | ours ns | wt ns | lean ns | limit ns | ours GB/s | wt GB/s | ours/limit | \
         wt/limit | lean/limit | ours/wt | ours/lean | ours ns/elem | wt ns/elem |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let per_elem = |ns: f64| {
            if r.elements == 0 || !matches!(r.case.kind, Kind::List(_) | Kind::Records) {
                "-".to_string()
            } else {
                format!("{:.3}", ns / r.elements as f64)
            }
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
            r.case.name,
            fmt_ns(r.ours),
            fmt_ns(r.wt),
            fmt_ns(r.lean),
            fmt_ns(r.limit),
            gbps(r.bytes, r.ours),
            gbps(r.bytes, r.wt),
            r.ours / r.limit,
            r.wt / r.limit,
            r.lean / r.limit,
            r.ours / r.wt,
            r.ours / r.lean,
            per_elem(r.ours),
            per_elem(r.wt),
        );
    }
}

/// The wasmi columns, beside Wasmtime's (`FACT_BENCH_WASMI=1`).
fn print_wasmi_table(rows: &[Row]) {
    if rows.iter().all(|r| r.wasmi.is_none()) {
        return;
    }
    println!("\n## On wasmi 2.0.0 (interpreter), beside Wasmtime; `0` = `short_strings` 0\n");
    println!(
        "| case | wasmi ours ns | wasmi ours 0 ns | wasmi limit ns | ours/limit | ours 0/limit | \
         ours 0/ours | Wasmtime ours ns | Wasmtime wt ns | wasmi ours/Wasmtime ours |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let Some([ours, zero, limit]) = r.wasmi else {
            continue;
        };
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {} | {} | {:.1} |",
            r.case.name,
            fmt_ns(ours),
            fmt_ns(zero),
            fmt_ns(limit),
            ours / limit,
            zero / limit,
            zero / ours,
            fmt_ns(r.ours),
            fmt_ns(r.wt),
            ours / r.ours,
        );
    }
}

/// The targets, checked against this run.
fn print_targets(rows: &[Row]) {
    let find = |pred: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| pred(r)).collect::<Vec<_>>();
    let largest = rows.iter().map(|r| r.case.size).max().unwrap_or(0);
    println!("\nTargets (ratios of this run; largest size {largest} bytes):");
    let verdict = |name: String, value: f64, bound: f64, unit: &str, wt: Option<f64>| {
        let ok = value <= bound;
        let wt = wt.map_or(String::new(), |w| format!(", Wasmtime {w:.2}{unit}"));
        println!(
            "  {} {name}: {value:.2}{unit} (target <= {bound}{unit}{wt})",
            if ok { "ok  " } else { "MISS" },
        );
    };
    use fact_core::StringEncoding::*;
    for r in find(&|r| matches!(r.case.kind, Kind::List(_)) && r.case.size == largest) {
        verdict(
            format!("{} vs memory.copy", r.case.name),
            r.ours / r.limit,
            1.25,
            "x",
            Some(r.wt / r.limit),
        );
    }
    for r in find(&|r| r.case.size == largest) {
        if let Kind::String { src, dst, .. } = r.case.kind {
            let bound = match (src, dst) {
                (Utf8, Utf8) => 2.0,
                (Utf16, Utf16) => 3.0,
                (Utf8, Utf16) | (Utf16, Utf8) | (_, CompactUtf16) => 10.0,
                _ => continue,
            };
            verdict(
                format!("{} vs memory.copy", r.case.name),
                r.ours / r.limit,
                bound,
                "x",
                Some(r.wt / r.limit),
            );
        }
    }
    for r in find(&|r| r.case.kind == Kind::Records && r.case.size == largest && r.elements > 0) {
        verdict(
            format!("{} per element", r.case.name),
            r.ours / r.elements as f64,
            4.0,
            " ns",
            Some(r.wt / r.elements as f64),
        );
    }
    for r in find(&|r| r.case.kind == Kind::Scalar) {
        verdict(
            "scalar call vs Wasmtime lean".into(),
            r.ours / r.lean,
            1.0,
            "x",
            None,
        );
        verdict(
            "scalar call vs plain core call".into(),
            r.ours / r.limit,
            1.7,
            "x",
            Some(r.wt / r.limit),
        );
        if let Some(relay) = r.relay {
            println!(
                "       (plain call {:.2} ns; two plain calls, through a forwarding instance: \
                 {relay:.2} ns = {:.2}x; ours {:.2} ns, Wasmtime lean {:.2} ns)",
                r.limit,
                relay / r.limit,
                r.ours,
                r.lean
            );
        }
    }
}

fn main() -> Result<()> {
    let filters = common::filters();
    let sizes: Vec<usize> = std::env::var("FACT_BENCH_SIZES")
        .unwrap_or_else(|_| "0,64,4K,1M".into())
        .split(',')
        .map(parse_size)
        .collect();
    let samples = env_usize("FACT_BENCH_SAMPLES", 15);
    let sample_ns = env_usize("FACT_BENCH_SAMPLE_MS", 5) as f64 * 1e6;
    let engines = Engines {
        default: Engine::new(&common::wasmtime_config(false))?,
        lean: Engine::new(&common::wasmtime_config(true))?,
        wasmi: std::env::var_os("FACT_BENCH_WASMI").map(|_| Default::default()),
    };
    println!("# fact adapters vs Wasmtime 48.0.8's fused adapters");
    println!("machine: {}", common::machine());
    println!("{}", common::default_config_note());
    println!(
        "{samples} samples of ~{} ms of thread CPU time per path, medians; ns per call; \
         GB/s = bytes crossing (source string, or list plus its strings) per ns",
        sample_ns / 1e6
    );
    println!(
        "wt = Wasmtime Config::new(); lean = concurrency_support(false), wasm_exceptions(false); \
         limit = memory.copy of those bytes between two memories + a plain call to another \
         instance, same loop (scalar: the plain call alone)\n"
    );
    let mut rows = Vec::new();
    let cases: Vec<Case> = cases::all(&sizes)
        .into_iter()
        .filter(|c| common::selected(&filters, &c.name))
        .collect();
    for case in &cases {
        let row = run_case(&engines, case, samples, sample_ns)
            .map_err(|e| e.context(format!("case `{}`", case.name)))?;
        eprintln!(
            "{}: ours {} ns, wt {} ns, lean {} ns, limit {} ns ({} adapter bytes)",
            case.name,
            fmt_ns(row.ours),
            fmt_ns(row.wt),
            fmt_ns(row.lean),
            fmt_ns(row.limit),
            row.adapter_bytes
        );
        rows.push(row);
    }
    println!();
    print_table(&rows);
    print_targets(&rows);
    print_wasmi_table(&rows);
    kernels::print(&rows, samples);
    async_calls::run(&filters, samples, sample_ns)?;
    Ok(())
}
