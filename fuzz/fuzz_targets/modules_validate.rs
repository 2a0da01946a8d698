//! Every adapter module fact-core produces for random types and options
//! validates and has the imports and exports the host ABI promises
//! (`tests/differential/validate.rs`); `adapt` may decline a function, never
//! panic, and `finish` never fails after `adapt` accepted everything.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/differential/mod.rs"]
mod differential;

use arbitrary::Unstructured;
use differential::case::{Case, Config};
use differential::{component, validate};
use fact_core::wit_parser::{Resolve, WorldItem};
use fact_core::{Adapter, AdapterCompiler};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let config = Config {
        // Wasmtime's limitations do not matter here.
        fixed_lists_with_memory64: true,
        utf16_tag_in_memory64: true,
        ..Config::default()
    };
    let mut cases = Vec::new();
    let n = u.int_in_range(1..=4).unwrap_or(1);
    for i in 0..n {
        match Case::arbitrary(&mut u, &config) {
            Ok(case) => cases.push((i, case)),
            Err(_) => break,
        }
    }
    if cases.is_empty() {
        return;
    }
    let refs: Vec<(usize, &Case)> = cases.iter().map(|(i, c)| (*i, c)).collect();
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_str("fuzz.wit", &component::wit(&refs))
        .expect("generated WIT parses");
    let world = resolve.select_world(&[pkg], None).unwrap();
    let iface = resolve.worlds[world]
        .exports
        .values()
        .find_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    let mut compiler = AdapterCompiler::new(&resolve);
    let mut kept = Vec::new();
    for (i, case) in &refs {
        let function = &resolve.interfaces[iface].functions[&format!("call{i}")];
        let adapted = compiler.adapt(Adapter {
            name: format!("f{i}"),
            interface: None,
            function,
            lower: case.lower.fact(0),
            lift: case.lift.fact(1),
        });
        if adapted.is_ok() {
            kept.push((*i, *case));
        }
    }
    let adapters = compiler.finish().expect("finish succeeds after adapt");
    if let Err(e) = validate::check_adapters(&adapters, &kept) {
        panic!("{e}\n{}", component::wit(&refs));
    }
});
