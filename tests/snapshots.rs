//! Golden WAT of representative adapters, so that a change in code
//! generation is reviewed as a diff. `FACT_BLESS=1 cargo test --test
//! integration snapshots` rewrites them.

use crate::harness::*;
use fact_core::{MemoryType, StringEncoding};
use std::path::Path;

fn check(name: &str, decls: &str, lower: fact_core::CanonOptions, lift: fact_core::CanonOptions) {
    let adapters = compile(decls, lower, lift).unwrap();
    let wat = wasmprinter::print_bytes(&adapters.wasm).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/snapshots/{name}.wat"));
    if std::env::var_os("FACT_BLESS").is_some() {
        std::fs::write(&path, &wat).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot {}; run with FACT_BLESS=1", path.display()));
    assert!(
        expected == wat,
        "adapter `{name}` changed; review and rerun with FACT_BLESS=1:\n{wat}"
    );
}

#[test]
fn scalar_call() {
    check(
        "scalar",
        "f: func(a: u32, b: u32) -> u32;",
        caller(),
        callee(),
    );
}

#[test]
fn string_to_string_with_post_return() {
    check(
        "string",
        "f: func(s: string) -> string;",
        caller(),
        callee().post_return(true),
    );
}

#[test]
fn list_of_records_with_strings() {
    check(
        "list-of-records",
        "record r { a: u32, b: string }\nf: func(l: list<r>);",
        caller(),
        callee(),
    );
}

#[test]
fn variant_result_through_memory() {
    check(
        "variant",
        "variant v { a(f32), b(u64), c(string) }\nf: func(x: v) -> result<v, u8>;",
        caller(),
        callee(),
    );
}

#[test]
fn utf16_to_compact_from_a_64_bit_memory() {
    check(
        "utf16-to-compact-64",
        "f: func(s: string);",
        caller()
            .string_encoding(StringEncoding::Utf16)
            .memory(Some(MemoryType::Memory64)),
        callee().string_encoding(StringEncoding::CompactUtf16),
    );
}
