//! fact's adapters against Wasmtime's on one random case: same trap / no
//! trap, and the same observations when both return (`tests/differential`).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/differential/mod.rs"]
mod differential;

use arbitrary::Unstructured;
use differential::case::{Case, Config};
use differential::{judge, run, Verdict};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<wasmtime::Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(run::engine);
    let config = Config::default();
    let Ok(case) = Case::arbitrary(&mut Unstructured::new(data), &config) else {
        return;
    };
    let cases = [(0, case)];
    for result in run::run_batch(engine, &cases, config.memory64) {
        if let Verdict::Mismatch(report) = judge(&cases[0].1, &result) {
            panic!("{report}");
        }
    }
});
