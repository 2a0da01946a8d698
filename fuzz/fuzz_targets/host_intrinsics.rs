//! The host intrinsics on random memories and arguments agree with the
//! model of their contract (`tests/differential/intrinsics.rs`).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/differential/mod.rs"]
mod differential;

use arbitrary::Unstructured;
use differential::intrinsics::{check, Call};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(call) = Call::arbitrary(&mut Unstructured::new(data)) {
        if let Err(e) = check(&call) {
            panic!("{e}");
        }
    }
});
