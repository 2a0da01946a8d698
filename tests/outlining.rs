//! Large and deeply nested types: shared helpers keep adapters linear in the
//! size of their types, and every module validates.

use crate::harness::*;

fn record_of(n: usize) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| format!("x{i}: u{}", [8, 16, 32, 64][i % 4]))
        .collect();
    format!(
        "record big {{ {}, s: string }}\nf: func(l: list<big>) -> list<big>;",
        fields.join(", ")
    )
}

#[test]
fn a_record_of_a_thousand_fields_compiles_to_a_linear_size() {
    let small = compile(&record_of(250), caller(), callee()).unwrap();
    let large = compile(&record_of(1000), caller(), callee()).unwrap();
    large.validate().unwrap();
    for engine in [Engine::Wasmtime, Engine::Wasmi] {
        load(engine, &large.wasm).unwrap();
    }
    let ratio = large.wasm.len() as f64 / small.wasm.len() as f64;
    assert!(
        ratio < 4.4,
        "250 fields: {} bytes, 1000 fields: {} bytes",
        small.wasm.len(),
        large.wasm.len()
    );
    // Each field costs a load and a store, in each direction.
    assert!(large.wasm.len() < 1000 * 40, "{} bytes", large.wasm.len());
}

fn nested(depth: usize) -> String {
    let mut decls = String::from("record t0 { x: u32, s: string }\n");
    for i in 1..=depth {
        let prev = i - 1;
        decls += &match i % 3 {
            0 => format!("type t{i} = option<t{prev}>;\n"),
            1 => format!("record t{i} {{ a: t{prev}, b: u8 }}\n"),
            _ => format!("variant t{i} {{ a(t{prev}), b(u64) }}\n"),
        };
    }
    decls + &format!("f: func(x: list<t{depth}>);")
}

#[test]
fn a_type_nested_a_hundred_deep_compiles_to_a_linear_size() {
    let d50 = compile(&nested(50), caller(), callee()).unwrap();
    let d100 = compile(&nested(100), caller(), callee()).unwrap();
    d100.validate().unwrap();
    for engine in [Engine::Wasmtime, Engine::Wasmi] {
        load(engine, &d100.wasm).unwrap();
    }
    let ratio = d100.wasm.len() as f64 / d50.wasm.len() as f64;
    assert!(
        ratio < 2.3,
        "depth 50: {} bytes, depth 100: {} bytes",
        d50.wasm.len(),
        d100.wasm.len()
    );
}

fn a_deeply_nested_value_is_copied_exactly(engine: Engine) {
    // option<option<...<u32>>> 20 deep, in memory: each level a discriminant
    // byte, and the u32 at offset 4 (every level aligns its payload to 4).
    let mut decls = String::from("type t0 = u32;\n");
    for i in 1..=20 {
        decls += &format!("type t{i} = option<t{}>;\n", i - 1);
    }
    decls += "f: func(x: list<t20>);";
    let mut fx = Fixture::new(engine, &decls, caller(), callee(), |_, _| vec![]);
    // Padding bytes are not copied: the callee sees zeros there.
    let mut value = [1u8, 0xaa, 0xaa, 0xaa].repeat(20);
    value.extend_from_slice(&0xfeed_beefu32.to_le_bytes());
    fx.write(CALLER, 0x100, &value);
    fx.call(&[i32(0x100), i32(1)]).unwrap();
    let mut expected = [1u8, 0, 0, 0].repeat(20);
    expected.extend_from_slice(&0xfeed_beefu32.to_le_bytes());
    assert_eq!(fx.read(CALLEE, HEAP, expected.len()), expected);
}

#[test]
fn helpers_are_shared_between_adapters() {
    let one = compile(
        "record r { a: string, b: list<u8> }\nf: func(x: list<r>);",
        caller(),
        callee(),
    )
    .unwrap();
    let two = compile(
        "record r { a: string, b: list<u8> }\nf: func(x: list<r>, y: list<r>, z: list<r>);",
        caller(),
        callee(),
    )
    .unwrap();
    let funcs = |a: &fact_core::Adapters| {
        wasmparser::Parser::new(0)
            .parse_all(&a.wasm)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::FunctionSection(s) => Some(s.count()),
                _ => None,
            })
            .sum::<u32>()
    };
    assert_eq!(funcs(&one), funcs(&two));
}

crate::on_every_engine!(a_deeply_nested_value_is_copied_exactly,);
