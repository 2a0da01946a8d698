//! Differential testing against Wasmtime's own fused adapters.
//!
//! For random WIT function types, random canonical options on each side and
//! random values (some of them corrupted), the same caller and callee core
//! modules run two ways: wrapped in a component and run by Wasmtime's
//! component runtime, whose adapters Wasmtime compiles itself, and linked
//! through `fact-core`'s adapter module in Wasmtime's core API. Everything
//! either instance can observe must be the same (see `run.rs`); when the
//! inputs are invalid, both must trap or neither. When both return on a
//! valid input, what arrived on each side is also decoded and compared with
//! the generated values (`decode.rs`), and every adapter module is checked
//! against the host ABI (`validate.rs`).
//!
//! - `types.rs`, `values.rs`: the generator of types and values;
//! - `abi.rs`: layout and flattening, written again from the spec;
//! - `case.rs`: options, encoding of the values by the side that hands them
//!   over, faults; `corrupt.rs`: the corruption of one site;
//! - `modules.rs`: the core modules, in WAT; `component.rs`: the WIT and
//!   the component that wires them for Wasmtime;
//! - `run.rs`: running both ways; `run_wasmi.rs`: the fact way again on
//!   wasmi, which must observe exactly what it observes on Wasmtime;
//! - `compare.rs`: the comparison and the known differences;
//! - `decode.rs`, `validate.rs`: the checks against the spec;
//! - `intrinsics.rs`: the host intrinsics against a model of their contract;
//! - `tables.rs`: the handle indices the spec's tables give;
//! - `regressions.rs`: fixed cases for every disagreement found;
//! - `soak.rs`: the compiler alone on much bigger random WIT (ignored).
//!
//! Known differences with Wasmtime 48, where `fact` follows the spec
//! (`compare::Known`, pinned in `regressions.rs`): a shrinking `realloc` of
//! a `latin1+utf16` buffer asks for alignment 1, Wasmtime for 2; the bytes
//! such a `realloc` leaves behind differ; a `post-return` that calls out
//! traps. Wasmtime 48 limitations the generator steers clear of
//! (`case::Config`): fixed-length lists with a 64-bit memory (Wasmtime
//! compiles an invalid adapter), and UTF-16 `latin1+utf16` strings reaching
//! a 64-bit memory (Wasmtime tags them with bit 31, the spec with bit 63).
//! Resource handles: `own` and `borrow` of a resource the callee
//! implements and of one the host implements, in any position, with
//! corrupted handle indices (`tables.rs` predicts where handles land).
//!
//! Functions of an `async` type have a campaign of their own
//! (`Config::async_functions`): each side lowers or lifts with `async` (a
//! lift with a callback, returning through `task.return`) or not, the
//! caller's `run<i>` is a task of an `async` type, and the Wasmtime way runs
//! on Wasmtime's async adapters and runtime. The values, traps, `realloc`
//! calls and handles are compared as above, and the decoding checks that
//! an `async` lower returned `RETURNED` with its result at the return
//! pointer. 32-bit memories only: Wasmtime 48 cannot run async options with
//! a 64-bit memory (wasmtime #13979).
//!
//! Environment: `FACT_DIFF_CASES` (default 2000), `FACT_DIFF_ASYNC_CASES`
//! (default 1000), `FACT_DIFF_SEED`,
//! `FACT_DIFF_BATCH` (cases per component, default 16), `FACT_DIFF_THREADS`,
//! `FACT_DIFF_ONLY` (run one case index, and print it),
//! `FACT_DIFF_MIXED_ENCODINGS=0` (same string encoding on both sides only).
//! The fuzz targets of `fuzz/` include this module too.

pub mod abi;
pub mod case;
pub mod compare;
pub mod component;
pub mod corrupt;
pub mod decode;
pub mod intrinsics;
pub mod modules;
pub mod run;
pub mod run_wasmi;
pub mod tables;
pub mod types;
pub mod validate;
pub mod values;

#[cfg(test)]
mod regressions;
#[cfg(test)]
mod soak;

use arbitrary::Unstructured;
use case::{Case, Config};
use run::{CaseResult, Outcome};
use std::time::{Duration, Instant};

/// The bytes a case is generated from: a splitmix64 stream of (seed, index).
pub fn case_bytes(seed: u64, index: u64) -> Vec<u8> {
    let mut state = seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (0..1024)
        .flat_map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)).to_le_bytes()
        })
        .collect()
}

/// Case `index` of the campaign with `seed`.
pub fn generate(seed: u64, index: u64, config: &Config) -> Case {
    let bytes = case_bytes(seed, index);
    Case::arbitrary(&mut Unstructured::new(&bytes), config).expect("8 KiB are enough for a case")
}

/// What a case says about the two ways.
#[derive(Debug)]
pub enum Verdict {
    /// `fact-core` declined the case (not supported yet).
    Skipped,
    /// Both returned and observed the same.
    Returned,
    /// Both trapped (on a corrupted input or a faulty `realloc`).
    Trapped,
    /// They disagree, only in these known ways.
    Known(Vec<compare::Known>),
    /// They disagree otherwise, or both trapped on a valid input: a report.
    Mismatch(String),
    /// Only fact ran (`run::NO_REFERENCE`), and agrees with the spec; it
    /// returned (`true`) or trapped on a corrupted input.
    Alone(bool),
}

/// Whether the fact way on Wasmtime and on wasmi disagree, and how: the
/// same dumps when both return, the same trap code when an adapter traps
/// (the engines' own traps are compared by kind only: their words differ).
fn engines_disagree(wasmtime: &Outcome, wasmi: &Outcome) -> Option<String> {
    let fact_trap = |m: &str| m.starts_with("fact trap");
    let agree = match (wasmtime, wasmi) {
        (Outcome::Returned(a), Outcome::Returned(b)) => a == b,
        (Outcome::Trapped(a), Outcome::Trapped(b)) => a == b || !(fact_trap(a) || fact_trap(b)),
        (Outcome::Rejected(_), Outcome::Rejected(_)) => true,
        _ => false,
    };
    (!agree).then(|| {
        format!(
            "on Wasmtime: {}; on wasmi: {}",
            wasmtime.short(),
            wasmi.short()
        )
    })
}

/// Judges the result of a case.
pub fn judge(case: &Case, r: &CaseResult) -> Verdict {
    if r.skipped.is_some() {
        return Verdict::Skipped;
    }
    if let Some(diff) = engines_disagree(&r.fact, &r.fact_wasmi) {
        return Verdict::Mismatch(format!(
            "fact's adapter behaves differently on two engines: {diff}\n{}",
            run::report(case, r)
        ));
    }
    let corrupted = case.mutation.is_some() || case.fault.is_some();
    // A callee that keeps its borrows, on an otherwise valid input, traps
    // with that code (`Task.return_`).
    let keeps_borrows = case
        .fault
        .is_some_and(|f| f.mode == case::FAULT_KEEPS_BORROWS);
    if keeps_borrows && case.mutation.is_none() {
        let trapped = matches!(&r.fact, Outcome::Trapped(m) if m.contains("BorrowNotDropped"));
        if !trapped {
            return Verdict::Mismatch(format!(
                "a callee that keeps its borrows did not trap BorrowNotDropped\n{}",
                run::report(case, r)
            ));
        }
    }
    if run::unreferenced(case) {
        return judge_alone(case, r, corrupted);
    }
    match (&r.fact, &r.wasmtime) {
        (Outcome::Returned(a), Outcome::Returned(b)) if a == b => {
            if !corrupted {
                if let Err(e) = decode::check(case, &compare::dumps(a)) {
                    return Verdict::Mismatch(format!(
                        "both ways agree, but not with the spec: {e}\n{}",
                        run::report(case, r)
                    ));
                }
            }
            Verdict::Returned
        }
        // A valid input must not trap: that would be a bug of the generator
        // or of both ways at once.
        (Outcome::Trapped(_), Outcome::Trapped(_)) if !corrupted => Verdict::Mismatch(format!(
            "a valid input trapped both ways\n{}",
            run::report(case, r)
        )),
        (Outcome::Trapped(_), Outcome::Trapped(_)) => Verdict::Trapped,
        _ => match compare::explain(case, r) {
            Some(known) => Verdict::Known(known.into_iter().collect()),
            None => Verdict::Mismatch(run::report(case, r)),
        },
    }
}

/// Judges a case Wasmtime cannot run (`run::NO_REFERENCE`) against the
/// spec alone: a valid input returns, and what each side received decodes
/// to the generated values; a corrupted one may trap or not, but its trap
/// is one of fact's, with a code, or one of the engine's in the callee.
fn judge_alone(case: &Case, r: &CaseResult, corrupted: bool) -> Verdict {
    match &r.fact {
        Outcome::Returned(log) if !corrupted => match decode::check(case, &compare::dumps(log)) {
            Ok(()) => Verdict::Alone(true),
            Err(e) => Verdict::Mismatch(format!(
                "fact's result is not the spec's: {e}\n{}",
                run::report(case, r)
            )),
        },
        Outcome::Returned(_) => Verdict::Alone(true),
        Outcome::Trapped(_) if corrupted => Verdict::Alone(false),
        other => Verdict::Mismatch(format!(
            "a valid input did not return ({})\n{}",
            other.short(),
            run::report(case, r)
        )),
    }
}

/// Counts of a campaign.
#[derive(Debug, Default)]
pub struct Summary {
    pub cases: usize,
    /// `fact-core` declined the case (not supported yet).
    pub skipped: usize,
    /// Why `fact-core` declined them, with how many each.
    pub skip_reasons: std::collections::BTreeMap<String, usize>,
    pub both_returned: usize,
    pub both_trapped: usize,
    pub mutated: usize,
    /// Cases only fact ran (`run::NO_REFERENCE`), judged against the spec:
    /// returned, trapped.
    pub alone: (usize, usize),
    /// Cases that pass resource handles, and those whose corruption is a
    /// handle.
    pub with_handles: usize,
    pub handle_mutations: usize,
    /// Cases whose callee keeps the borrows it received.
    pub keeps_borrows: usize,
    /// Cases whose disagreements are all known differences.
    pub known: Vec<(usize, Vec<compare::Known>)>,
    /// Reports of the disagreements that are not known differences.
    pub mismatches: Vec<String>,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cases in {:.1?}: {} skipped (not supported by fact-core yet), {} returned on both \
             ways, {} trapped on both ways ({} had a corrupted input or a faulty realloc), {} \
             passed handles ({} with a corrupted handle, {} whose callee kept its borrows), {} \
             known differences, {} mismatches; \
             {} run by fact alone and judged against the spec ({} returned, {} trapped)",
            self.cases,
            self.elapsed,
            self.skipped,
            self.both_returned,
            self.both_trapped,
            self.mutated,
            self.with_handles,
            self.handle_mutations,
            self.keeps_borrows,
            self.known.len(),
            self.mismatches.len(),
            self.alone.0 + self.alone.1,
            self.alone.0,
            self.alone.1,
        )
    }
}

/// Runs `count` cases of the campaign `seed` (or only case `only`), in
/// batches of `batch` cases per component, on `threads` threads.
pub fn campaign(
    seed: u64,
    cases: std::ops::Range<u64>,
    config: &Config,
    batch: usize,
    threads: usize,
) -> Summary {
    let start = Instant::now();
    let engine = run::engine();
    let indices: Vec<u64> = cases.collect();
    let chunks: Vec<&[u64]> = indices.chunks(batch.max(1)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<(Case, CaseResult)>> = Default::default();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(chunk) = chunks.get(k) else { break };
                let batch: Vec<(usize, Case)> = chunk
                    .iter()
                    .map(|&i| (i as usize, generate(seed, i, config)))
                    .collect();
                let out = run::run_batch(&engine, &batch, config.memory64);
                let mut results = results.lock().unwrap();
                for r in out {
                    let case = batch.iter().find(|(i, _)| *i == r.id).unwrap().1.clone();
                    results.push((case, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(_, r)| r.id);
    let mut summary = Summary {
        cases: results.len(),
        elapsed: start.elapsed(),
        ..Summary::default()
    };
    for (case, r) in &results {
        if !case.arg_handles.is_empty() || !case.ret_handles.is_empty() {
            summary.with_handles += 1;
        }
        if case
            .fault
            .is_some_and(|f| f.mode == case::FAULT_KEEPS_BORROWS)
        {
            summary.keeps_borrows += 1;
        }
        if case
            .mutation
            .as_ref()
            .is_some_and(|m| matches!(m.site.kind, values::SiteKind::Handle { .. }))
        {
            summary.handle_mutations += 1;
        }
        match judge(case, r) {
            Verdict::Skipped => {
                summary.skipped += 1;
                let why = r.skipped.clone().unwrap_or_default();
                *summary.skip_reasons.entry(why).or_default() += 1;
            }
            Verdict::Returned => summary.both_returned += 1,
            Verdict::Trapped => {
                summary.both_trapped += 1;
                summary.mutated += usize::from(case.mutation.is_some() || case.fault.is_some());
            }
            Verdict::Known(known) => summary.known.push((r.id, known)),
            Verdict::Alone(true) => summary.alone.0 += 1,
            Verdict::Alone(false) => summary.alone.1 += 1,
            Verdict::Mismatch(report) => summary.mismatches.push(report),
        }
    }
    summary
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        Err(_) => default,
    }
}

/// The configuration from the environment.
pub fn config_from_env() -> Config {
    Config {
        mixed_encodings: std::env::var("FACT_DIFF_MIXED_ENCODINGS").map_or(true, |v| v != "0"),
        ..Config::default()
    }
}

/// The CI campaign: a fixed seed, 2,000 cases by default.
#[test]
fn fact_and_wasmtime_adapters_agree_on_random_cases() {
    run_campaign(config_from_env(), 2000);
}

/// The campaign of `async` functions: every case of an `async` function
/// type, each side lowering or lifting with `async` or not, against
/// Wasmtime's async adapters and runtime. Wasmtime 48 cannot run `async`
/// options with a 64-bit memory (wasmtime #13979): the cases with one are
/// run by fact alone, on both engines, and judged against the spec
/// (`judge_alone`). `FACT_DIFF_ASYNC_CASES` sets the count (default
/// 1,500).
#[test]
fn fact_and_wasmtime_agree_on_random_async_cases() {
    let config = Config {
        async_functions: true,
        ..config_from_env()
    };
    run_campaign(config, env_u64("FACT_DIFF_ASYNC_CASES", 1500));
}

fn run_campaign(config: Config, default_cases: u64) {
    let seed = env_u64("FACT_DIFF_SEED", 0xfac7);
    let threads = env_u64(
        "FACT_DIFF_THREADS",
        std::thread::available_parallelism().map_or(2, |n| n.get() as u64),
    ) as usize;
    let batch = env_u64("FACT_DIFF_BATCH", 16) as usize;
    let range = match std::env::var("FACT_DIFF_ONLY") {
        Ok(_) => {
            let only = env_u64("FACT_DIFF_ONLY", 0);
            let case = generate(seed, only, &config);
            let refs = [(only as usize, &case)];
            println!("{}", case.describe());
            println!("--- WIT\n{}", component::wit(&refs));
            println!(
                "--- component\n{}",
                component::component(&refs, config.memory64)
            );
            only..only + 1
        }
        Err(_) if config.async_functions => 0..default_cases,
        Err(_) => 0..env_u64("FACT_DIFF_CASES", default_cases),
    };
    let summary = campaign(seed, range.clone(), &config, batch, threads);
    println!("seed {seed:#x}: {summary}");
    for (id, known) in &summary.known {
        for k in known {
            println!("  case {id}: known difference: {}", k.describe());
        }
    }
    for (why, n) in &summary.skip_reasons {
        println!("  {n} skipped: {why}");
    }
    for m in &summary.mismatches {
        println!("{m}");
    }
    assert!(
        summary.mismatches.is_empty(),
        "{} of {} cases disagree (seed {seed:#x}); see the reports above",
        summary.mismatches.len(),
        summary.cases
    );
    assert_eq!(summary.cases as u64, range.end - range.start);
    if range.end - range.start >= 100 {
        // The comparison must have had something to compare.
        let (returned, trapped) = (
            summary.both_returned + summary.alone.0,
            summary.both_trapped + summary.alone.1,
        );
        assert!(returned * 4 > summary.cases, "{summary}");
        assert!(trapped * 10 > summary.cases, "{summary}");
    }
}
