//! A soak of the compiler alone: random WIT from the differential test's
//! type generator, far deeper and bigger than the cases that run, through
//! `adapt_world` with random options. Every world must compile into a
//! module that validates, or be refused with one of the errors the
//! Canonical ABI calls for; never a panic, never an invalid module.
//!
//! Ignored by default (it runs nothing, so it proves nothing the
//! differential test does not, but for the compiler's robustness):
//!
//! ```text
//! FACT_SOAK_WORLDS=20000 cargo test --release --test integration soak -- --ignored --nocapture
//! ```
//!
//! `FACT_SOAK_SEED` picks the campaign; `FACT_SOAK_DEPTH` and
//! `FACT_SOAK_NODES` bound each type (12 and 400 by default, against 4 and
//! 24 for the cases that run). Fixed-length lists are sometimes huge (up to
//! 2^24 elements), so that types cross the maximum value size.

use super::types::{Namer, Ty, TypeLimits};
use super::{case_bytes, env_u64};
use arbitrary::{Result, Unstructured};
use fact_core::wit_parser::Resolve;
use fact_core::{CanonOptions, MemoryType, StringEncoding, WorldOptions};
use std::fmt::Write;

/// One random world: WIT with `functions` functions in an imported and an
/// exported interface, and the options to adapt it with.
fn world(u: &mut Unstructured<'_>, limits: &TypeLimits) -> Result<(String, WorldOptions)> {
    let mut wit = String::from("package soak:w;\n");
    for iface in ["imported", "exported"] {
        writeln!(wit, "interface {iface} {{\n  resource r;\n  resource s;").unwrap();
        let mut namer = Namer::new(0);
        let functions = u.int_in_range(1..=4)?;
        let mut decls = String::new();
        for f in 0..functions {
            let mut nodes = limits.nodes;
            let mut params = Vec::new();
            for p in 0..u.int_in_range(0..=5)? {
                let ty = Ty::arbitrary(u, limits, limits.depth, &mut nodes)?;
                params.push(format!("p{p}: {}", namer.name(&ty).0));
            }
            let result_limits = TypeLimits {
                borrows: false,
                ..*limits
            };
            let result = if u.arbitrary()? {
                let ty = Ty::arbitrary(u, &result_limits, limits.depth, &mut nodes)?;
                format!(" -> {}", namer.name(&ty).0)
            } else {
                String::new()
            };
            writeln!(decls, "  call{f}: func({}){result};", params.join(", ")).unwrap();
        }
        for def in &namer.wit_defs {
            writeln!(wit, "  {def}").unwrap();
        }
        wit += &decls;
        wit += "}\n";
    }
    wit += "world w { import imported; export exported; }\n";
    let side = |u: &mut Unstructured<'_>, instance| -> Result<CanonOptions> {
        let encoding = *u.choose(&[
            StringEncoding::Utf8,
            StringEncoding::Utf16,
            StringEncoding::CompactUtf16,
        ])?;
        let memory = if u.arbitrary()? {
            MemoryType::Memory64
        } else {
            MemoryType::Memory32
        };
        Ok(CanonOptions::new(instance)
            .string_encoding(encoding)
            .memory(Some(memory)))
    };
    let defaults = WorldOptions::default();
    let lift = side(u, defaults.lift.instance)?.post_return(u.arbitrary()?);
    let options = WorldOptions {
        lift,
        lower: side(u, defaults.lower.instance)?,
        short_strings: *u.choose(&[0, 16, 256])?,
        exception_barrier: u.arbitrary()?,
        debug: u.arbitrary()?,
        describe: u.arbitrary()?,
    };
    Ok((wit, options))
}

/// Errors the Canonical ABI calls for on types the generator can make.
fn acceptable(message: &str) -> bool {
    message.contains("2^28")
}

#[test]
#[ignore = "a long soak of the compiler; see the module docs"]
fn soak_the_compiler() {
    let worlds = env_u64("FACT_SOAK_WORLDS", 2_000);
    let seed = env_u64("FACT_SOAK_SEED", 0x50a4);
    let limits = TypeLimits {
        depth: env_u64("FACT_SOAK_DEPTH", 12) as u32,
        nodes: env_u64("FACT_SOAK_NODES", 400) as u32,
        huge_fixed_lists: true,
        ..TypeLimits::default()
    };
    let (mut compiled, mut refused, mut adapters, mut bytes) = (0u64, 0u64, 0usize, 0usize);
    for index in 0..worlds {
        let data: Vec<u8> = (0..16)
            .flat_map(|k| case_bytes(seed, index * 16 + k))
            .collect();
        let (wit, options) = world(&mut Unstructured::new(&data), &limits).expect("enough bytes");
        let mut resolve = Resolve::default();
        let pkg = resolve
            .push_str("soak.wit", &wit)
            .unwrap_or_else(|e| panic!("world {index}: the WIT does not parse: {e}\n{wit}"));
        let world = resolve.select_world(&[pkg], None).unwrap();
        match fact_core::adapt_world(&resolve, world, &options) {
            Ok(module) => {
                module
                    .validate()
                    .unwrap_or_else(|e| panic!("world {index}: {e}\n{wit}"));
                compiled += 1;
                adapters += module.exports.len();
                bytes += module.wasm.len();
            }
            Err(e) if acceptable(e.message()) => refused += 1,
            Err(e) => panic!("world {index}: refused for no reason of the ABI: {e}\n{wit}"),
        }
    }
    println!(
        "soak: {worlds} worlds (seed {seed:#x}, depth {}, {} nodes): {compiled} compiled \
         ({adapters} adapters, {bytes} bytes), {refused} refused for the maximum value size",
        limits.depth, limits.nodes
    );
}
