//! What both benchmarks share: the knobs (environment variables and
//! arguments), timing with medians, and a description of the machine.

#![allow(dead_code)] // each benchmark uses part of it

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A number from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// The filters of a run: the benchmark's arguments (`cargo bench --bench
/// adapters -- utf16 list`) and the comma-separated `FACT_BENCH_FILTER`.
/// `cargo bench` passes `--bench` to the binary; flags are ignored.
pub fn filters() -> Vec<String> {
    let mut filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Ok(v) = std::env::var("FACT_BENCH_FILTER") {
        filters.extend(v.split(',').filter(|s| !s.is_empty()).map(str::to_owned));
    }
    filters
}

/// Whether `name` is selected: it contains every word of some filter (or
/// there is no filter).
pub fn selected(filters: &[String], name: &str) -> bool {
    filters.is_empty()
        || filters
            .iter()
            .any(|f| f.split_whitespace().all(|w| name.contains(w)))
}

/// The median of `values` (sorted in place).
pub fn median(values: &mut [f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Nanoseconds of CPU time used by this thread.
///
/// The benchmarks time with it rather than with the wall clock: the machine
/// is shared, and time spent descheduled is not the adapters' doing.
pub fn cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid `timespec` to write to.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Runs `f` once and returns the CPU time it took.
pub fn time<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let start = cpu_ns();
    let r = f();
    (Duration::from_nanos(cpu_ns() - start), r)
}

/// The median time of `samples` runs of `f`, after one warm-up run.
pub fn median_time<R>(samples: usize, mut f: impl FnMut() -> R) -> Duration {
    std::hint::black_box(f());
    let mut ns: Vec<f64> = (0..samples.max(1))
        .map(|_| {
            let (t, r) = time(&mut f);
            std::hint::black_box(r);
            t.as_nanos() as f64
        })
        .collect();
    Duration::from_nanos(median(&mut ns) as u64)
}

/// The CPU model (`lscpu`'s "Model name") and the number of CPUs.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cpus} CPUs available")
}

#[path = "../../tests/support/wasi_wit.rs"]
mod wasi_wit_lookup;

/// The `wit` directory of the `wasmtime-wasi-http` package (the WASI 0.2
/// worlds with their `deps/`), found with `cargo metadata`.
pub fn wasi_wit() -> PathBuf {
    wasi_wit_lookup::wasi_wit(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/Cargo.toml"
    )))
}

/// Wasmtime's `Config` as the benchmarks use it: `Config::new()`, or the
/// lean one (no concurrency support, no exceptions).
pub fn wasmtime_config(lean: bool) -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_multi_memory(true);
    // `FACT_BENCH_PERFMAP=1`: names the compiled functions for `perf`
    // (`/tmp/perf-PID.map`).
    if std::env::var_os("FACT_BENCH_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    if lean {
        config.concurrency_support(false);
        config.wasm_exceptions(false);
    }
    config
}

/// What "Wasmtime's default `Config`" means in this build.
pub fn default_config_note() -> &'static str {
    if cfg!(feature = "bench") {
        "default Config = Config::new() with Wasmtime's concurrency support and exceptions \
         (feature `bench`)"
    } else {
        "WARNING: built without `--features bench`: this Wasmtime has no concurrency \
         support, so its default Config differs from the lean one by exceptions only"
    }
}

/// An `anyhow` error (of `wit-parser`, `wit-component`) as a Wasmtime one.
pub fn ah<T>(result: anyhow::Result<T>) -> wasmtime::Result<T> {
    result.map_err(|e| wasmtime::format_err!("{e:#}"))
}
